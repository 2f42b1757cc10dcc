"""Move a consumer group back (or forward) to the first record at or after a point in time.

    KAFKA_SECURITY_PROTOCOL=SASL_SSL KAFKA_SASL_USERNAME=district-event-centre \\
    KAFKA_SASL_PASSWORD=... KAFKA_SSL_CAFILE=ca.pem \\
    python -m oneteam_eventbus.rewind --bootstrap kafka.example:9093 \\
        --topic oneteam.incidents --group district-event-centre.feed --since 2026-11-20T00:00:00+08:00

The group's committed offsets become, per partition, those of the first record whose
timestamp is at or after `--since` (the log end where none is), which is what Kafka's
`kafka-consumer-groups --reset-offsets --to-datetime` does. Stop the group's consumers first:
a running member would commit over the new positions. A subscriber re-reads from there and
drops events whose `id` it has already handled.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from oneteam_eventbus.config import KafkaConfig, security_from_env
from oneteam_eventbus.replay import topic_partitions


async def rewind(config: KafkaConfig, topic: str, group: str, since: datetime) -> dict[int, int]:
    """Commit `group`'s offsets on `topic` at `since`; returns partition -> offset."""
    if since.tzinfo is None:
        raise ValueError("give --since with its UTC offset, e.g. 2026-11-20T00:00:00+08:00")
    consumer = AIOKafkaConsumer(bootstrap_servers=config.bootstrap_servers, group_id=group,
                                client_id=config.client_id, enable_auto_commit=False, **config.security())
    try:
        await consumer.start()
        tps = [TopicPartition(topic, p) for p in await topic_partitions(config, topic)]
        found = await consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in tps})
        ends = await consumer.end_offsets(tps)
        offsets: dict[TopicPartition, int] = {}
        for tp in tps:
            hit = found.get(tp)
            offsets[tp] = hit.offset if hit is not None else ends[tp]
        consumer.assign(tps)
        await consumer.commit({tp: OffsetAndMetadata(offset, "") for tp, offset in offsets.items()})
        return {tp.partition: offset for tp, offset in offsets.items()}
    finally:
        await consumer.stop()


def main() -> None:
    """Command line entry; security settings come from KAFKA_* variables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--bootstrap", required=True, help="Kafka bootstrap servers")
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True, help="your consumer group (starts with your user name and a dot)")
    parser.add_argument("--since", required=True, type=datetime.fromisoformat,
                        help="ISO 8601 time with its offset, e.g. 2026-11-20T00:00:00+08:00")
    args = parser.parse_args()
    config = KafkaConfig(args.bootstrap, client_id="oneteam-rewind", **security_from_env())
    offsets = asyncio.run(rewind(config, args.topic, args.group, args.since))
    for partition, offset in sorted(offsets.items()):
        print(f"{args.topic}[{partition}] -> {offset}")


if __name__ == "__main__":
    main()
