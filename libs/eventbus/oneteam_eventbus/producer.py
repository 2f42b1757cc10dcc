"""A thin producer: acks=all, keys and headers from the topic registry, and a way back from fatal errors."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from oneteam_contracts import Envelope, spec_for_type, to_kafka
from oneteam_eventbus.config import KafkaConfig

log = logging.getLogger(__name__)

Headers = list[tuple[str, bytes]]
Message = tuple[str, bytes | None, bytes, Headers]


class EventProducer:
    """Publish envelopes or raw messages; start() before use, stop() at shutdown."""

    def __init__(self, config: KafkaConfig) -> None:
        self._config = config
        self._client: AIOKafkaProducer | None = None
        self._restarting = asyncio.Lock()

    async def start(self) -> None:
        """Connect to the broker (the client is made here, inside the running loop)."""
        self._client = await self._connect()

    async def _connect(self) -> AIOKafkaProducer:
        client = AIOKafkaProducer(
            bootstrap_servers=self._config.bootstrap_servers,
            client_id=self._config.client_id,
            **self._config.security(),
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
        return client

    async def restart(self) -> None:
        """Replace the client with a new one (a new producer id, sequences from zero).

        An idempotent producer whose broker lost its state (OutOfOrderSequenceNumber,
        UnknownProducerId after a broker restart) fails every send until it is recreated.
        The new client is connected before the old one is dropped, so concurrent senders
        (dead letters from consumers) never find no producer at all.
        """
        async with self._restarting:
            fresh = await self._connect()
            old, self._client = self._client, fresh
            log.warning("producer recreated after a fatal error")
        if old is not None:
            try:
                await asyncio.wait_for(old.stop(), 10)
            except (Exception, TimeoutError) as error:  # the old client is broken anyway
                log.info("old producer did not stop cleanly: %r", error)

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
        """Publish one envelope (a structured CloudEvent) to its registered topic and wait for the ack."""
        spec = spec_for_type(event.type, event.schema_version)
        record = to_kafka(event)
        await self.send_raw(spec.topic.name, record.key, record.value, record.headers)

    async def send_raw(self, topic: str, key: bytes | None, value: bytes, headers: Headers) -> None:
        """Publish bytes and wait for the ack."""
        await self._producer.send_and_wait(topic, value=value, key=key, headers=headers)

    async def send_many(self, messages: list[Message]) -> list[BaseException | None]:
        """Queue every message, then wait for all acks; per-partition order follows list order.

        Returns one entry per message: None when the broker acknowledged it, else the error,
        so a caller can keep what was published and retry only the rest.
        """
        client = self._producer
        futures: list[asyncio.Future[Any] | BaseException] = []
        for topic, key, value, headers in messages:
            try:
                futures.append(await client.send(topic, value=value, key=key, headers=headers))
            except KafkaError as error:  # refused before it was queued (unknown topic, too large)
                futures.append(error)
        results: list[BaseException | None] = []
        for future in futures:
            if isinstance(future, BaseException):
                results.append(future)
                continue
            try:
                await future
                results.append(None)
            except KafkaError as error:
                results.append(error)
        return results

    async def ping(self, timeout: float = 3.0) -> None:
        """Raise if the broker cannot answer a metadata request within `timeout` seconds."""
        await asyncio.wait_for(self._producer.client.fetch_all_metadata(), timeout)
