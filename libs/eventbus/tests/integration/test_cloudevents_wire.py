"""Records on the broker are strict CloudEvents 1.0 for outside clients (our reading of every form: test_consumer).

A subscribing platform is simulated by librdkafka (confluent-kafka) and the official CloudEvents
SDK; nothing of OneTeam's reads the records in the first test.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import pytest
from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.formats.json import JSONFormat
from confluent_kafka import Consumer, TopicPartition
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from oneteam_eventbus import EventProducer, KafkaConfig, OutboxRelay, add_event

from .test_outbox import reported

pytestmark = pytest.mark.integration


def _read_with_librdkafka(bootstrap: str, topic: str, key: bytes, timeout: float = 20.0) -> Any:
    """The first record with `key`, read by librdkafka from the start of every partition."""
    reader = Consumer({"bootstrap.servers": bootstrap, "group.id": f"platform-{uuid.uuid4().hex[:8]}",
                       "enable.auto.commit": False})
    try:
        partitions = reader.list_topics(topic, timeout=10).topics[topic].partitions
        reader.assign([TopicPartition(topic, p, 0) for p in partitions])  # offset 0: from the start
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = reader.poll(0.5)
            if message is not None and message.error() is None and message.key() == key:
                return message
        raise AssertionError(f"no record keyed {key!r} on {topic} within {timeout} s")
    finally:
        reader.close()


async def test_a_platform_reads_a_published_event_with_librdkafka_and_the_cloudevents_sdk(
    engine: AsyncEngine, producer: EventProducer, kafka: KafkaConfig,
) -> None:
    incident_id = uuid.uuid4()
    event = reported(incident_id)
    async with async_sessionmaker(engine).begin() as session:
        await add_event(session, event)
    assert await OutboxRelay(engine, producer, service="test").publish_pending() == 1

    message = await asyncio.to_thread(_read_with_librdkafka, kafka.bootstrap_servers, "oneteam.incidents",
                                      str(incident_id).encode())
    cloudevent = ce_kafka.from_kafka(
        ce_kafka.KafkaMessage(headers=dict(message.headers() or []), key=message.key(), value=message.value()),
        JSONFormat())

    attributes = cloudevent.get_attributes()
    assert attributes["specversion"] == "1.0" and attributes["id"] == str(event.id)
    assert attributes["type"] == "incident.reported" and attributes["source"] == "test"
    assert attributes["dataschema"] == "urn:oneteam:schema:incident.reported:v1"
    assert attributes["partitionkey"] == str(incident_id)
    assert cloudevent.get_data() == event.data.model_dump(mode="json"), "data is the payload, not the envelope"
