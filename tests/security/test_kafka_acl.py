"""On a secured Apache Kafka, each principal can do what `oneteam_contracts.access` allows, and no more.

Runs where `ONETEAM_KAFKA_SECURE=1` (`make test-kafka` sets it): it starts a one-node broker
of its own with `deploy/kafka/kafka.sh start --secure`, so it needs the Kafka jars and Java 17.
Services sign in through the project's event bus (the settings a service reads); platforms
through aiokafka and through librdkafka (confluent-kafka), as a subscriber outside Python would.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import GroupAuthorizationFailedError, KafkaError, TopicAuthorizationFailedError
from confluent_kafka import Consumer as RdKafkaConsumer

from oneteam_eventbus import EventProducer, KafkaConfig, ensure_topics
from oneteam_eventbus.rewind import rewind
from oneteam_servicekit.settings import ServiceSettings

from .conftest import SecuredKafka

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not os.environ.get("ONETEAM_KAFKA_SECURE"), reason="set ONETEAM_KAFKA_SECURE=1"),
]

INCIDENTS, ASSIGNMENTS, HANDOFFS = "oneteam.incidents", "oneteam.assignments", "oneteam.handoffs"


async def _write(config: KafkaConfig, topic: str) -> int:
    producer = AIOKafkaProducer(bootstrap_servers=config.bootstrap_servers, request_timeout_ms=10000,
                                **config.security())
    try:
        await producer.start()
        sent = await producer.send_and_wait(topic, b"{}", key=uuid.uuid4().bytes)
        return sent.offset
    finally:
        await producer.stop()


async def _read(config: KafkaConfig, topic: str, group: str) -> int:
    """How many records `group` reads from the start of `topic` (joining, fetching, committing)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=config.bootstrap_servers, group_id=group,
                                auto_offset_reset="earliest", enable_auto_commit=False, **config.security())
    try:
        await consumer.start()
        read = 0
        for _ in range(10):
            batch = await consumer.getmany(timeout_ms=1000)
            read += sum(len(records) for records in batch.values())
            if read:
                break
        await consumer.commit()
        return read
    finally:
        await consumer.stop()


@pytest.fixture(scope="module")
async def published(secured: SecuredKafka) -> SecuredKafka:
    """The registry's topics created by a service at start-up, and one incident record on them."""
    await ensure_topics(secured.config("intake"))
    # 200-odd partitions were just created: on a busy machine their leaders take a while.
    for attempt in range(6):
        try:
            await _write(secured.config("intake"), INCIDENTS)
            break
        except KafkaError:
            if attempt == 5:
                raise
            await asyncio.sleep(2)
    return secured


async def test_a_service_signs_in_from_its_settings_and_publishes_its_own_topic(
        published: SecuredKafka, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in published.env("dispatch").items():
        monkeypatch.setenv(name, value)
    config = ServiceSettings(service_name="dispatch").kafka()
    producer = EventProducer(config)  # idempotent, acks=all: what dispatch runs with
    await producer.start()
    try:
        await producer.send_raw(ASSIGNMENTS, b"incident-1", b"{}", [])
    finally:
        await producer.stop()
    assert await _read(published.config("evaluation"), ASSIGNMENTS, "evaluation.security-test") >= 1


async def test_a_service_is_refused_another_services_topic(published: SecuredKafka) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await _write(published.config("intake"), ASSIGNMENTS)
    with pytest.raises(TopicAuthorizationFailedError):
        await _write(published.config("mediation"), "oneteam.cases")


async def test_a_service_reads_only_with_its_own_group_prefix(published: SecuredKafka) -> None:
    assert await _read(published.config("dispatch"), INCIDENTS, "dispatch.security-test") >= 1
    with pytest.raises(GroupAuthorizationFailedError):
        await _read(published.config("intake"), INCIDENTS, "dispatch.incidents")


async def test_a_service_writes_dead_letters_only_of_what_it_consumes(published: SecuredKafka) -> None:
    await _write(published.config("dispatch"), f"{INCIDENTS}.dlq")
    with pytest.raises(TopicAuthorizationFailedError):
        await _write(published.config("dispatch"), f"{ASSIGNMENTS}.dlq")


async def test_a_platform_reads_its_granted_public_topic_with_its_group(published: SecuredKafka) -> None:
    assert await _read(published.config("district-event-centre"), INCIDENTS, "district-event-centre.feed") >= 1


async def test_a_platform_cannot_write_even_the_topics_it_reads(published: SecuredKafka) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await _write(published.config("district-event-centre"), INCIDENTS)
    with pytest.raises(TopicAuthorizationFailedError):
        await _write(published.config("district-event-centre"), "oneteam.inbound-reports")


async def test_a_platform_that_submits_reports_writes_only_inbound_reports(published: SecuredKafka) -> None:
    await _write(published.config("governance-platform"), "oneteam.inbound-reports")
    with pytest.raises(TopicAuthorizationFailedError):
        await _write(published.config("governance-platform"), INCIDENTS)


@pytest.mark.parametrize("topic", [HANDOFFS, "oneteam.officer-positions", f"{INCIDENTS}.dlq", "oneteam.mediations"])
async def test_a_platform_cannot_read_internal_dead_letter_or_ungranted_topics(
        published: SecuredKafka, topic: str) -> None:
    with pytest.raises(TopicAuthorizationFailedError):
        await _read(published.config("district-event-centre"), topic, "district-event-centre.feed")


@pytest.mark.parametrize("group", ["dispatch.incidents", "police-non-emergency.feed", "feed"])
async def test_a_platform_cannot_use_another_principals_group(published: SecuredKafka, group: str) -> None:
    with pytest.raises(GroupAuthorizationFailedError):
        await _read(published.config("district-event-centre"), INCIDENTS, group)


async def test_a_wrong_password_is_refused(published: SecuredKafka) -> None:
    with pytest.raises(KafkaError):
        await asyncio.wait_for(_write(published.config("intake", password="not-the-password"), INCIDENTS), 30)


async def test_a_platform_reads_over_tls_with_the_project_client(published: SecuredKafka) -> None:
    config = published.config("police-non-emergency", tls=True)
    assert await _read(config, INCIDENTS, "police-non-emergency.tls") >= 1


def test_a_platform_reads_over_tls_with_librdkafka(published: SecuredKafka) -> None:
    consumer = RdKafkaConsumer({
        "bootstrap.servers": published.tls_bootstrap, "security.protocol": "SASL_SSL",
        "ssl.ca.location": published.cafile, "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "district-event-centre", "sasl.password": published.passwords["district-event-centre"],
        "group.id": "district-event-centre.librdkafka", "auto.offset.reset": "earliest",
    })
    try:
        consumer.subscribe([INCIDENTS])
        message = None
        for _ in range(30):
            message = consumer.poll(1.0)
            if message is not None:
                break
        assert message is not None and message.error() is None, message and message.error()
        assert message.topic() == INCIDENTS
    finally:
        consumer.close()


def test_librdkafka_is_refused_an_internal_topic(published: SecuredKafka) -> None:
    consumer = RdKafkaConsumer({
        "bootstrap.servers": published.bootstrap, "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": "district-event-centre",
        "sasl.password": published.passwords["district-event-centre"],
        "group.id": "district-event-centre.librdkafka-internal", "auto.offset.reset": "earliest",
    })
    try:
        consumer.subscribe([HANDOFFS])
        refused = None
        for _ in range(20):
            message = consumer.poll(1.0)
            if message is not None and message.error() is not None:
                refused = message.error()
                break
            assert message is None, "an internal topic's record reached a platform"
        assert refused is not None and "authoriz" in refused.str().lower(), refused
    finally:
        consumer.close()



async def test_a_platform_rewinds_its_group_to_a_point_in_time(published: SecuredKafka) -> None:
    intake, centre = published.config("intake"), published.config("district-event-centre")
    before, after = f"before-{uuid.uuid4()}".encode(), f"after-{uuid.uuid4()}".encode()
    producer = AIOKafkaProducer(bootstrap_servers=intake.bootstrap_servers, **intake.security())
    await producer.start()
    try:
        await producer.send_and_wait(INCIDENTS, before, key=b"rewind")
        await asyncio.sleep(0.05)
        since = datetime.now(UTC)
        await asyncio.sleep(0.05)
        await producer.send_and_wait(INCIDENTS, after, key=b"rewind")
    finally:
        await producer.stop()

    group = f"district-event-centre.rewind-{uuid.uuid4().hex[:8]}"
    offsets = await rewind(centre, INCIDENTS, group, since)
    assert offsets and all(offset >= 0 for offset in offsets.values())

    consumer = AIOKafkaConsumer(INCIDENTS, bootstrap_servers=centre.bootstrap_servers, group_id=group,
                                enable_auto_commit=False, auto_offset_reset="earliest", **centre.security())
    seen: list[bytes] = []
    try:
        await consumer.start()
        for _ in range(10):
            batch = await consumer.getmany(timeout_ms=1000)
            seen += [record.value or b"" for records in batch.values() for record in records]
            if after in seen:
                break
    finally:
        await consumer.stop()
    assert after in seen and before not in seen
