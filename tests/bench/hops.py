"""Where a report's time goes on its way to an order, hop by hop, from the timestamps the event
bus already keeps: the outbox's `created_at` (the staging transaction's start) and `sent_at` (the
relay's transaction that published it), the inbox's `processed_at` (the consuming transaction's
start), read from intake's and dispatch's databases after a pipeline run.
"""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

from bench_stats import percentile
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from oneteam_devstack.postgres import EmbeddedPostgres

HOPS = ("POST → intake stages incident.reported", "intake stages → relay publishes",
        "published → dispatch's inbox", "dispatch's inbox → match stages the order",
        "match stages → relay publishes", "published → seen on the topic")
_REPORTED = text("SELECT convert_from(key, 'UTF8') AS incident, event_id, extract(epoch FROM created_at) AS staged, "
                 "extract(epoch FROM sent_at) AS sent FROM outbox WHERE event_type = 'incident.reported'")
_CONSUMED = text("SELECT event_id, extract(epoch FROM processed_at) AS at FROM inbox")
_ORDERED = text("SELECT payload, extract(epoch FROM created_at) AS staged, extract(epoch FROM sent_at) AS sent "
                "FROM outbox WHERE event_type = 'assignment.created'")


async def read_hops(postgres: EmbeddedPostgres, timeline: dict[str, tuple[float, float]]) -> dict[str, Any]:
    """p50/p90/p99 ms of each hop for the incidents in `timeline` (incident id → wall-clock seconds
    its report was posted and its order seen on the topic). Outbox rows must not be purged yet."""
    reported, consumed, ordered = {}, {}, {}
    intake = create_async_engine(postgres.url("intake"))
    dispatch = create_async_engine(postgres.url("dispatch"))
    try:
        async with intake.connect() as conn:
            reported = {r.incident: r for r in await conn.execute(_REPORTED) if r.incident in timeline}
        async with dispatch.connect() as conn:
            consumed = {r.event_id: float(r.at) for r in await conn.execute(_CONSUMED)}
            for r in await conn.execute(_ORDERED):
                incident = json.loads(bytes(r.payload))["data"]["incident_id"]
                if incident in timeline:
                    ordered.setdefault(incident, r)  # the first order is the one the bench saw
    finally:
        await intake.dispose()
        await dispatch.dispose()
    samples: dict[str, list[float]] = {hop: [] for hop in HOPS}
    for incident, (posted, seen) in timeline.items():
        report, order = reported.get(incident), ordered.get(incident)
        inbox = consumed.get(report.event_id) if report is not None else None
        if report is None or order is None or inbox is None or report.sent is None or order.sent is None:
            continue
        marks = (posted, float(report.staged), float(report.sent), inbox, float(order.staged), float(order.sent), seen)
        for hop, (begin, end) in zip(HOPS, pairwise(marks), strict=True):
            samples[hop].append((end - begin) * 1000)
    return {"incidents": len(samples[HOPS[0]]),
            **{hop: {q: percentile(values, n) for q, n in (("p50", 50), ("p90", 90), ("p99", 99))}
               for hop, values in samples.items()}}


def print_hops(steps: list[dict[str, Any]]) -> None:
    """One table per step: each hop's p50 / p90 / p99."""
    for step in steps:
        hops = step.get("hops_ms")
        if not hops:
            continue
        print(f"\nwhere the time goes at {step['offered_per_s']:g}/s ({hops['incidents']} incidents), ms"
              "  p50 / p90 / p99")
        for hop in HOPS:
            h = hops[hop]
            print(f"  {hop:42s} {h['p50']:7.1f} / {h['p90']:7.1f} / {h['p99']:7.1f}")
