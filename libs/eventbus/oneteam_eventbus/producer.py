"""A thin producer: acks=all, keys and headers from the topic registry."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka import AIOKafkaProducer

from oneteam_contracts import Envelope, kafka_headers, partition_key, spec_for_type
from oneteam_eventbus.config import KafkaConfig

Headers = list[tuple[str, bytes]]


class EventProducer:
    """Publish envelopes or raw messages; start() before use, stop() at shutdown."""

    def __init__(self, config: KafkaConfig) -> None:
        self._config = config
        self._client: AIOKafkaProducer | None = None

    async def start(self) -> None:
        """Connect to the broker (the client is made here, inside the running loop)."""
        client = AIOKafkaProducer(
            bootstrap_servers=self._config.bootstrap_servers,
            client_id=self._config.client_id,
            acks="all",
            enable_idempotence=self._config.idempotence,
            linger_ms=2,
            request_timeout_ms=15000,
        )
        try:
            await client.start()
        except BaseException:
            await client.stop()
            raise
        self._client = client

    async def stop(self) -> None:
        """Flush and disconnect."""
        if self._client is not None:
            await self._client.stop()
            self._client = None

    @property
    def _producer(self) -> AIOKafkaProducer:
        if self._client is None:
            raise RuntimeError("producer is not started")
        return self._client

    async def publish(self, event: Envelope[Any]) -> None:
        """Publish one envelope to its registered topic and wait for the broker's ack."""
        spec = spec_for_type(event.type, event.schema_version)
        await self.send_raw(spec.topic.name, partition_key(event), event.model_dump_json().encode(),
                            kafka_headers(event))

    async def send_raw(self, topic: str, key: bytes | None, value: bytes, headers: Headers) -> None:
        """Publish bytes and wait for the ack."""
        await self._producer.send_and_wait(topic, value=value, key=key, headers=headers)

    async def send_many(self, messages: list[tuple[str, bytes | None, bytes, Headers]]) -> None:
        """Queue every message, then wait for all acks; per-partition order follows list order."""
        futures = [
            await self._producer.send(topic, value=value, key=key, headers=headers)
            for topic, key, value, headers in messages
        ]
        for future in futures:
            await future

    async def ping(self, timeout: float = 3.0) -> None:
        """Raise if the broker cannot answer a metadata request within `timeout` seconds."""
        await asyncio.wait_for(self._producer.client.fetch_all_metadata(), timeout)
