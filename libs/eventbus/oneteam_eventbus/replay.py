"""Replay a dead-letter topic into the consumer group that gave up on its messages.

    python -m oneteam_eventbus.replay --bootstrap 127.0.0.1:9092 \\
        --topic oneteam.incidents.dlq --group dispatch.incidents [--dry-run]

Each dead letter of that group is published again, whole, to its original topic with its
original key and CloudEvents headers. Every group reading that topic sees it again; those
that already handled the event find its id in their inbox and do nothing, so a replay is
safe to repeat. The replay's own progress is kept in the group `replay.<group>`, so running
the command twice does not replay the same dead letter twice. Replayed events arrive after
newer events of the same key: replay once the cause (a bug, a missing configuration) is fixed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from oneteam_contracts import record_event_id
from oneteam_eventbus.config import KafkaConfig, security_from_env
from oneteam_eventbus.producer import EventProducer

log = logging.getLogger(__name__)


@dataclass
class ReplayReport:
    """What a replay did."""

    read: int = 0
    replayed: int = 0
    other_groups: int = 0
    event_ids: list[str] = field(default_factory=list)


async def replay_dead_letters(config: KafkaConfig, dlq_topic: str, group: str, *,
                              dry_run: bool = False) -> ReplayReport:
    """Publish `group`'s dead letters on `dlq_topic` back to their original topics."""
    report = ReplayReport()
    reader = AIOKafkaConsumer(
        bootstrap_servers=config.bootstrap_servers, group_id=f"replay.{group}", client_id=config.client_id,
        enable_auto_commit=False, auto_offset_reset="earliest", **config.security(),
    )
    producer = EventProducer(config)
    await reader.start()
    await producer.start()
    try:
        partitions = [TopicPartition(dlq_topic, p) for p in await topic_partitions(config, dlq_topic)]
        reader.assign(partitions)
        # Only what was dead-lettered before the replay began; letters written meanwhile wait.
        end = await reader.end_offsets(partitions)
        for tp in partitions:
            committed = await reader.committed(tp)
            if committed is None:
                await reader.seek_to_beginning(tp)
        while await _behind(reader, partitions, end):
            batch = await reader.getmany(timeout_ms=1000)
            for tp, records in batch.items():
                for record in records:
                    if record.offset >= end[tp]:
                        continue
                    report.read += 1
                    headers = dict(record.headers or ())
                    if headers.get("dlq.consumer_group", b"").decode() != group:
                        report.other_groups += 1
                        continue
                    original = headers["dlq.original_topic"].decode()
                    kept = [(k, v) for k, v in record.headers or () if not k.startswith("dlq.")]
                    if not dry_run:
                        await producer.send_raw(original, record.key, record.value or b"", kept)
                    report.replayed += 1
                    report.event_ids.append(record_event_id(record.headers, record.value) or "")
                if not dry_run:
                    await reader.commit({tp: min(records[-1].offset + 1, end[tp])})
    finally:
        await producer.stop()
        await reader.stop()
    return report


async def topic_partitions(config: KafkaConfig, topic: str) -> list[int]:
    """The partition numbers of `topic`."""
    admin = AIOKafkaAdminClient(bootstrap_servers=config.bootstrap_servers, client_id=config.client_id,
                                **config.security())
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return sorted(p["partition"] for t in described for p in t["partitions"])


async def _behind(reader: AIOKafkaConsumer, partitions: list[TopicPartition], end: dict[TopicPartition, int],
                  ) -> bool:
    for tp in partitions:
        if await reader.position(tp) < end[tp]:
            return True
    return False


def main() -> None:
    """Command line entry."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--bootstrap", default="127.0.0.1:9092", help="Kafka bootstrap servers")
    parser.add_argument("--topic", required=True, help="the dead-letter topic, e.g. oneteam.incidents.dlq")
    parser.add_argument("--group", required=True, help="the consumer group whose dead letters to replay")
    parser.add_argument("--dry-run", action="store_true", help="count, publish nothing, remember nothing")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    # On a secured broker the operator signs in with KAFKA_SASL_USERNAME/PASSWORD (see docs/subscribers.md).
    config = KafkaConfig(args.bootstrap, client_id="oneteam-replay", idempotence=False, **security_from_env())
    report = asyncio.run(replay_dead_letters(config, args.topic, args.group, dry_run=args.dry_run))
    verb = "would replay" if args.dry_run else "replayed"
    print(f"read {report.read} dead letters; {verb} {report.replayed} of group {args.group}; "
          f"{report.other_groups} belong to other groups")


if __name__ == "__main__":
    main()
