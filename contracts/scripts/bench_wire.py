"""Per-event cost of the wire format: encoding and decoding wire 1 against structured CloudEvents.

    .venv/bin/python contracts/scripts/bench_wire.py [--out .data/bench-wire.json]

Prints microseconds per event (best of --rounds, to shrink the noise of a busy machine) and
writes the same figures as JSON.
"""

import argparse
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from oneteam_contracts import (
    GeoPoint,
    IncidentReported,
    event_from_kafka,
    kafka_headers,
    new_event,
    parse_event,
    partition_key,
    to_kafka,
)


def _best_us(work: Callable[[], Any], rounds: int, per_round: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(per_round):
            work()
        best = min(best, (time.perf_counter() - started) / per_round)
    return round(best * 1e6, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--per-round", type=int, default=5000)
    parser.add_argument("--out", default=".data/bench-wire.json")
    args = parser.parse_args()
    data = IncidentReported(incident_id=uuid4(), report_id=uuid4(), category="street_vending", source="citizen_app",
                            priority="normal", location=GeoPoint(lon=120.124, lat=30.288), has_description=True,
                            district="D01", grid="D01-G1", reported_at=datetime.now(UTC))
    event = new_event(data, source="intake", tenant="330106004", subject=str(data.incident_id))
    traced = event.model_copy(update={"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"})
    wire_1 = (kafka_headers(event), event.model_dump_json().encode())
    structured = to_kafka(traced)
    binary = to_kafka(traced, "binary")
    cases: dict[str, Callable[[], Any]] = {
        "encode_wire_1": lambda: (partition_key(event), event.model_dump_json().encode(), kafka_headers(event)),
        "encode_structured": lambda: to_kafka(traced),
        "encode_binary": lambda: to_kafka(traced, "binary"),
        "decode_wire_1_parse_event": lambda: parse_event(wire_1[1]),
        "decode_wire_1": lambda: event_from_kafka(*wire_1),
        "decode_structured": lambda: event_from_kafka(structured.headers, structured.value),
        "decode_binary": lambda: event_from_kafka(binary.headers, binary.value),
        "skip_unwanted_structured": lambda: event_from_kafka(structured.headers, structured.value, wanted=()),
    }
    figures = {name: _best_us(work, args.rounds, args.per_round) for name, work in cases.items()}
    figures["value_bytes_wire_1"] = len(wire_1[1])
    figures["value_bytes_structured"] = len(structured.value)
    for name, value in figures.items():
        print(f"{name:28} {value}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"unit": "microseconds per event, best of rounds", **figures}, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
