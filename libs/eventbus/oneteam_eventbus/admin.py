"""Create the registry's topics (and their dead-letter twins) if they are missing."""

from __future__ import annotations

import logging

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from oneteam_contracts import TopicSpec, dead_letter_topic, topics
from oneteam_eventbus.config import KafkaConfig

log = logging.getLogger(__name__)


async def ensure_topics(config: KafkaConfig, specs: list[TopicSpec] | None = None) -> list[str]:
    """Create every missing topic of `specs` (default: the whole registry); returns those created."""
    wanted: list[NewTopic] = []
    for spec in specs or topics():
        wanted.append(NewTopic(spec.name, spec.partitions, config.replication_factor,
                               topic_configs=spec.retention.topic_config()))
        # Dead letters keep the source's partition count so keys stay comparable.
        wanted.append(NewTopic(dead_letter_topic(spec.name), spec.partitions, config.replication_factor,
                               topic_configs={"cleanup.policy": "delete"}))
    admin = AIOKafkaAdminClient(bootstrap_servers=config.bootstrap_servers, client_id=config.client_id)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [topic for topic in wanted if topic.name not in existing]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                log.info("topics created concurrently by another service")
        return [topic.name for topic in missing]
    finally:
        await admin.close()
