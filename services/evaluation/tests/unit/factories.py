"""Facts built by hand for the KPIs' tests: a tenant, a clock, and incidents and orders at minutes after T0."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from oneteam_evaluation.domain.facts import Incident, Member, Order
from oneteam_evaluation.domain.rules import Rules

TENANT = "330106004"
ZONE = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 09:00 in Hangzhou
NOW = T0 + timedelta(days=2)
RULES = Rules(tenant=TENANT)


def at(minutes: float) -> datetime:
    """T0 plus `minutes`."""
    return T0 + timedelta(minutes=minutes)


def incident(**changes: object) -> Incident:
    """A citizen's street-vending report in grid G1 of district D01, reported at T0."""
    values: dict[str, object] = {"incident_id": uuid4(), "category": "street_vending", "source": "citizen_app",
                                 "district": "D01", "grid": "G1", "reported_at": T0}
    values.update(changes)
    return Incident(**values)  # type: ignore[arg-type]


def order(incident_id: UUID | None = None, officers: tuple[str, ...] = ("o-1",), *,
          ack: list[float | None] | None = None, arrive: list[float | None] | None = None,
          report: float | None = None, created: float = 0.0, **changes: object) -> Order:
    """An order made `created` minutes after T0; acknowledgements and arrivals in minutes after T0, per officer."""
    ack = ack or [None] * len(officers)
    arrive = arrive or [None] * len(officers)
    members = tuple(Member(o, at(a) if a is not None else None, at(r) if r is not None else None, 100.0)
                    for o, a, r in zip(officers, ack, arrive, strict=True))
    made = at(created)
    values: dict[str, object] = {
        "assignment_id": uuid4(), "incident_id": incident_id or uuid4(), "team": "T1", "category": "street_vending",
        "officer_ids": officers, "created_at": made, "members": members,
        "due": {"acknowledge": made + timedelta(minutes=1), "coordinate": made + timedelta(minutes=3),
                "arrive": made + timedelta(minutes=5), "report": made + timedelta(minutes=8)},
        "reported_at": at(report) if report is not None else None}
    values.update(changes)
    return Order(**values)  # type: ignore[arg-type]
