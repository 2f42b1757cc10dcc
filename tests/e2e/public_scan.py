"""Read every public topic and report what a subscribing platform must never see.

A public record must be a structured CloudEvent our reader accepts, with its retired text
fields empty, no CJK text at all (everything the tests type is Chinese: descriptions, notes,
names) and no mobile number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition

from oneteam_contracts import STRUCTURED_CONTENT_TYPE, event_from_kafka, topics
from oneteam_contracts.audience import retired_text_in

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Bounded by anything but a letter or digit: a UUID's hex groups hold 11-digit runs shaped like
# a mobile number about once in 3 000 ids, always beside a hex letter or a longer digit run.
_MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9][0-9]{9}(?![0-9A-Za-z])")


@dataclass
class Scan:
    """What the scan read and what it found wrong, one line per bad record."""

    read: int = 0
    problems: list[str] = field(default_factory=list)


def check_record(where: str, headers: list[tuple[str, bytes]], value: bytes) -> list[str]:
    """The problems of one public record, empty when it is clean."""
    problems = []
    if dict(headers).get("content-type") != STRUCTURED_CONTENT_TYPE.encode():
        problems.append(f"{where}: not a structured CloudEvent")
    try:
        event = event_from_kafka(headers, value)
    except ValueError as error:
        return [*problems, f"{where}: unreadable ({error})"]
    assert event is not None
    problems += [f"{where}: {event.type}.{name} holds text" for name in retired_text_in(event)]
    text = value.decode(errors="replace")
    if _CJK.search(text):
        problems.append(f"{where}: {event.type} carries Chinese text: {_CJK.findall(text)[:10]}")
    if _MOBILE.search(text):
        problems.append(f"{where}: {event.type} carries a mobile number")
    return problems


async def scan_public_topics(bootstrap_servers: str, since_ms: int, until_ms: int | None = None) -> Scan:
    """Check every record written to a public topic at or after `since_ms` (epoch milliseconds)."""
    scan = Scan()
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await reader.start()
    try:
        partitions = [TopicPartition(t.name, p) for t in topics() if t.audience == "public"
                      for p in range(t.partitions)]
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        end = await reader.end_offsets(partitions)
        while [tp for tp in partitions if await reader.position(tp) < end[tp]]:
            batch = await reader.getmany(timeout_ms=500)
            for tp, records in batch.items():
                for record in records:
                    if (record.timestamp < since_ms or record.offset >= end[tp]
                            or (until_ms is not None and record.timestamp > until_ms)):
                        continue  # an earlier suite's on a shared broker, or written after the scan began
                    scan.read += 1
                    where = f"{tp.topic}[{tp.partition}]@{record.offset}"
                    scan.problems += check_record(where, list(record.headers or ()), record.value or b"")
    finally:
        await reader.stop()
    return scan
