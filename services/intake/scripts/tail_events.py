"""Print intake's events as they arrive on Kafka: incidents (reported, merged, closed) and feedback.

    .venv/bin/python services/intake/scripts/tail_events.py [--bootstrap 127.0.0.1:9092] [--from-start]

Reads every partition by hand (no consumer group), so it starts at once and disturbs nobody.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os

from aiokafka import AIOKafkaConsumer, TopicPartition

from oneteam_contracts import FEEDBACK, INCIDENTS


async def tail(bootstrap: str, from_start: bool) -> None:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(t.name, p) for t in (INCIDENTS, FEEDBACK) for p in range(t.partitions)]
        consumer.assign(partitions)
        await (consumer.seek_to_beginning(*partitions) if from_start else consumer.seek_to_end(*partitions))
        async for record in consumer:
            event = json.loads(record.value)
            print(f"{event['time']}  {event['type']:<20} {event['subject']}  "
                  f"{json.dumps(event['data'], ensure_ascii=False)}", flush=True)
    finally:
        await consumer.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    parser.add_argument("--from-start", action="store_true")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(tail(args.bootstrap, args.from_start))
