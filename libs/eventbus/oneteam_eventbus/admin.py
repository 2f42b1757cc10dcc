"""Create the registry's topics (and their dead-letter twins) if missing, with safe replication.

Replication follows the environment the suite runs in: KAFKA_REPLICATION_FACTOR and
KAFKA_MIN_INSYNC_REPLICAS when set (production manifests set 3 and 2), else three replicas
with two in sync where the cluster has three brokers, one where it has one. Existing topics
are checked too: a topic below the wanted replication is logged as an error (one broker's
loss would stop its partitions), and refused outright with `strict_replication`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from oneteam_contracts import TopicSpec, dead_letter_topic, topics
from oneteam_eventbus.config import KafkaConfig

log = logging.getLogger(__name__)


class ReplicationTooLow(RuntimeError):
    """Existing topics have fewer replicas than this environment asks for."""


@dataclass(frozen=True)
class Replication:
    """What every topic of the suite should have."""

    factor: int
    min_insync: int | None


def wanted_replication(config: KafkaConfig, brokers: int) -> Replication:
    """The replication to create topics with, from settings or from the cluster's size."""
    factor = config.replication_factor or min(3, max(brokers, 1))
    min_insync = config.min_insync_replicas
    if min_insync is None and factor >= 3:
        min_insync = 2
    return Replication(factor, min_insync)


async def ensure_topics(config: KafkaConfig, specs: list[TopicSpec] | None = None) -> list[str]:
    """Create every missing topic of `specs` (default: the whole registry); returns those created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=config.bootstrap_servers, client_id=config.client_id,
                                **config.security())
    await admin.start()
    try:
        cluster = await admin.describe_cluster()
        replication = wanted_replication(config, len(cluster.get("brokers", [])))
        wanted = _new_topics(specs or topics(), replication)
        existing = set(await admin.list_topics())
        missing = [topic for topic in wanted if topic.name not in existing]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                log.info("topics created concurrently by another service")
        present = [topic.name for topic in wanted if topic.name in existing]
        if present:
            await _check_replication(admin, present, replication, strict=config.strict_replication)
        return [topic.name for topic in missing]
    finally:
        await admin.close()


def _new_topics(specs: list[TopicSpec], replication: Replication) -> list[NewTopic]:
    extra = {} if replication.min_insync is None else {"min.insync.replicas": str(replication.min_insync)}
    wanted: list[NewTopic] = []
    for spec in specs:
        wanted.append(NewTopic(spec.name, spec.partitions, replication.factor,
                               topic_configs={**spec.retention.topic_config(), **extra}))
        # Dead letters keep the source's partition count so keys stay comparable.
        wanted.append(NewTopic(dead_letter_topic(spec.name), spec.partitions, replication.factor,
                               topic_configs={"cleanup.policy": "delete", **extra}))
    return wanted


async def _check_replication(admin: AIOKafkaAdminClient, names: list[str], replication: Replication, *,
                             strict: bool) -> None:
    below = []
    for topic in await admin.describe_topics(names):
        replicas = min((len(p.get("replicas", [])) for p in topic.get("partitions", [])), default=0)
        if 0 < replicas < replication.factor:
            below.append(f"{topic['topic']} (replication {replicas})")
    if not below:
        return
    message = (f"{len(below)} topic(s) have fewer than {replication.factor} replicas, so losing one broker "
               f"stops their partitions: {', '.join(sorted(below))}. Raise them with kafka-reassign-partitions.")
    if strict:
        raise ReplicationTooLow(message)
    log.error(message)
