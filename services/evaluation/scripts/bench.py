"""Evaluation's speed: live consumption, a rebuild from the topics, and KPI queries over a month.

Starts embedded PostgreSQL and the embedded broker (or uses KAFKA_BOOTSTRAP_SERVERS), puts a
month of a busy subdistrict's events on the topics (seven per incident: reported, ordered,
acknowledged, arrived, reported on, closed, rated), lets the service's live consumer read them
all through the event bus's inbox and times it, rebuilds the read model from them and times
that, waits for the days to be settled (their samples stored), then times KPI queries over the
month by day. The month ends now, so today's samples are computed at each query as in service.
Prints the figures and writes them as JSON.

    .venv/bin/python services/evaluation/scripts/bench.py [--incidents 20000] [--queries 30] [--no-live] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select

from oneteam_contracts import (
    AssignmentAcknowledged,
    AssignmentArrived,
    AssignmentCreated,
    AssignmentOutcome,
    AssignmentReported,
    FeedbackReceived,
    GeoPoint,
    IncidentClosed,
    IncidentReported,
    IncidentResolution,
    Priority,
    ReportSource,
    Satisfaction,
    SlaStage,
    new_event,
    spec_for,
    to_kafka,
)
from oneteam_devstack.broker import EmbeddedBroker
from oneteam_devstack.postgres import EmbeddedPostgres
from oneteam_devstack.testing import serve
from oneteam_evaluation.main import build
from oneteam_evaluation.rebuild import rebuild
from oneteam_evaluation.settings import EvaluationSettings
from oneteam_evaluation.settling import settled_before
from oneteam_evaluation.store import days as days_store
from oneteam_evaluation.store.tables import days
from oneteam_eventbus import KafkaConfig, ensure_topics, inbox
from oneteam_servicekit import ServiceSettings
from oneteam_servicekit.auth import Role, issue_token

TENANT = "330106999"  # a tenant of the bench's own
MONTH_END = datetime.now(UTC)
MONTH_START = MONTH_END - timedelta(days=30)


def incident_events(rng: random.Random) -> list[Any]:
    """One incident's seven events at a random moment of the month."""
    start = MONTH_START + timedelta(minutes=rng.uniform(0, 30 * 24 * 60 - 200))  # its rating before now
    incident_id, assignment_id, report_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    here = GeoPoint(lon=120.12 + rng.uniform(-0.02, 0.02), lat=30.29 + rng.uniform(-0.02, 0.02))
    officer, category = f"o-{rng.randrange(60)}", rng.choice(["street_vending", "e_bike_parking", "dumped_waste"])
    ack, arrive = rng.uniform(0.2, 2), rng.uniform(2, 9)
    report = arrive + rng.uniform(1, 6)

    def t(minutes: float) -> datetime:
        return start + timedelta(minutes=minutes)

    due = {SlaStage.ACKNOWLEDGE: t(1), SlaStage.COORDINATE: t(3), SlaStage.ARRIVE: t(5), SlaStage.REPORT: t(8)}
    return [
        IncidentReported(incident_id=incident_id, report_id=report_id, category=category,
                         source=ReportSource.CITIZEN_APP, priority=Priority.NORMAL, location=here,
                         district=f"D0{rng.randrange(1, 9)}", grid=f"G{rng.randrange(40)}", reported_at=t(-0.5)),
        AssignmentCreated(assignment_id=assignment_id, incident_id=incident_id, officer_ids=[officer],
                          team=f"T{rng.randrange(6)}", category=category, priority=Priority.NORMAL, location=here,
                          deadlines=due, created_at=t(0)),
        AssignmentAcknowledged(assignment_id=assignment_id, incident_id=incident_id, officer_id=officer,
                               acknowledged_at=t(ack)),
        AssignmentArrived(assignment_id=assignment_id, incident_id=incident_id, officer_id=officer,
                          arrived_at=t(arrive), distance_m=rng.uniform(5, 150)),
        AssignmentReported(assignment_id=assignment_id, incident_id=incident_id, officer_id=officer,
                           outcome=AssignmentOutcome.RESOLVED_ON_SITE, reported_at=t(report)),
        IncidentClosed(incident_id=incident_id, resolution=IncidentResolution.RESOLVED_ON_SITE,
                       closed_at=t(report + 1)),
        FeedbackReceived(incident_id=incident_id, report_id=report_id, category=category,
                         source=ReportSource.CITIZEN_APP, rating=rng.choice(list(Satisfaction)),
                         received_at=t(report + 120)),
    ]


async def publish(kafka: KafkaConfig, incidents: int) -> int:
    rng = random.Random(7)
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, linger_ms=20, **kafka.security())
    await producer.start()
    sent = 0
    try:
        pending = []
        for _ in range(incidents):
            for data in incident_events(rng):
                event = new_event(data, source="bench", tenant=TENANT, subject=str(uuid.uuid4()))
                record = to_kafka(event)  # as the services' outboxes write them
                pending.append(await producer.send(spec_for(data).topic.name, record.value, key=record.key,
                                                   headers=record.headers))
                sent += 1
            if len(pending) > 5000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return sent


async def queries(settings: EvaluationSettings, count: int) -> tuple[list[float], int]:
    headers = {"Authorization": "Bearer " + issue_token(ServiceSettings(), "bench", [Role.COMMANDER], tenant=TENANT)}
    params = {"from": MONTH_START.isoformat(), "to": MONTH_END.isoformat(), "period": "day"}
    app = build(settings.model_copy(update={"consume": False, "alerts": False, "reports": False, "settle": False}))
    took, orders = [], 0
    async with serve(app) as client:
        for n in range(count):
            kpi = ["acknowledged", "satisfaction", "on_time_closure"][n % 3]
            started = time.perf_counter()
            answer = await client.get(f"/v1/tenants/{TENANT}/kpis/{kpi}", headers=headers, params=params)
            took.append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.text
            if kpi == "acknowledged":
                orders = sum(f["denominator"] for f in answer.json()["figures"])
    return took, orders


async def live(settings: EvaluationSettings, sent: int) -> tuple[float, float]:
    """Seconds the service's consumer takes to join its group, then to apply every published event.

    The clock for the rate starts once the group has given the consumer its partitions: the
    join is paid once per start (≈ 5 s on the embedded broker, its rebalance delay), not per event.
    """
    app = build(settings.model_copy(update={"alerts": False, "reports": False}))
    async with serve(app) as _:
        started = time.perf_counter()
        while not all(consumer.joined for consumer, _ in app.state.runtime.consumers):  # noqa: ASYNC110 (a flag, no event)
            await asyncio.sleep(0.01)
        joined = time.perf_counter() - started
        started = time.perf_counter()
        while True:
            async with app.state.runtime.sessions() as session:
                if await session.scalar(select(func.count()).select_from(inbox)) >= sent:
                    return joined, time.perf_counter() - started
            await asyncio.sleep(0.2)


async def settle(settings: EvaluationSettings) -> tuple[int, float]:
    """Days stored and the seconds the service's settling loop took to store every settled day."""
    app = build(settings.model_copy(update={"consume": False, "alerts": False, "reports": False}))
    started = time.perf_counter()
    async with serve(app) as _:
        runtime = app.state.runtime
        while True:
            async with runtime.sessions() as session:
                if not await days_store.unsettled(session, settled_before(runtime), 1):
                    stored = await session.scalar(select(func.count()).select_from(days).where(
                        days.c.settled_version == days.c.version))
                    return int(stored or 0), time.perf_counter() - started
            await asyncio.sleep(0.2)


async def main(incidents: int, count: int, live_too: bool) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="evaluation-bench-"))
    postgres = EmbeddedPostgres(folder / "postgres", durable=False).start()
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    broker = None if external else EmbeddedBroker(folder / "logs").start()
    bootstrap = external or (broker.bootstrap_servers if broker else "")
    try:
        settings = EvaluationSettings(database_url=postgres.create_database("evaluation_bench"),
                                      kafka_bootstrap_servers=bootstrap, kafka_enable_idempotence=broker is None,
                                      log_json=False, log_level="WARNING")
        await ensure_topics(settings.kafka())  # as the services do, before anything is published
        sent = await publish(settings.kafka(), incidents)
        figures: dict[str, Any] = {"incidents": incidents, "events": sent, "queries": count,
                                   "broker": "external" if external else "embedded"}
        if live_too:
            joined, consumed = await live(settings, sent)
            print(f"live consumption: {sent} events in {consumed:.1f} s = {sent / consumed:.0f} events/s "
                  f"(after {joined:.1f} s joining the group; days settled alongside)")
            figures |= {"live_events_per_s": round(sent / consumed), "live_join_s": round(joined, 1)}
        started = time.perf_counter()
        done = await rebuild(settings)
        seconds = time.perf_counter() - started
        print(f"rebuild: {sent} events of {incidents} incidents in {seconds:.1f} s = {sent / seconds:.0f} events/s "
              f"(generation {done.generation}, {done.events} applied, {done.skipped} skipped)")
        figures |= {"rebuild_events_per_s": round(sent / seconds), "rebuild_s": round(seconds, 1)}
        stored, settling_s = await settle(settings)
        print(f"after the rebuild, {stored} days settled (samples stored) in {settling_s:.1f} s")
        figures |= {"days_settled": stored, "settling_s": round(settling_s, 1)}
        if not count:
            return figures
        took, orders = await queries(settings, count)
        took.sort()
        print(f"orders counted in the month: {orders} of {incidents}")
        p99 = took[min(len(took) - 1, int(0.99 * len(took)))]
        print(f"KPI by day over the month: p50 {statistics.median(took) * 1000:.0f} ms, "
              f"p99 {p99 * 1000:.0f} ms over {count} queries")
        figures |= {"query_p50_ms": round(statistics.median(took) * 1000), "query_p99_ms": round(p99 * 1000)}
        return figures
    finally:
        if broker is not None:
            broker.stop()
        postgres.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=20000, help="a busy subdistrict's month (≈ 670 a day)")
    parser.add_argument("--no-live", action="store_true", help="skip live consumption (for a rebuild of millions)")
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--json", type=Path, default=Path(".data/bench/evaluation.json"))
    arguments = parser.parse_args()
    measured = asyncio.run(main(arguments.incidents, arguments.queries, not arguments.no_live))
    arguments.json.parent.mkdir(parents=True, exist_ok=True)
    arguments.json.write_text(json.dumps(measured, indent=2) + "\n")
    print(f"figures written to {arguments.json}")
