"""Reading one tenant's facts for a query window, as the domain's plain values."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_evaluation.domain.facts import PARTS, Case, Facts, Incident, Mediation, Member, Order, Rating
from oneteam_evaluation.store.tables import READ_MODEL, cases, incidents, mediations, members, orders, ratings


def _between(column: Any, start: datetime, end: datetime) -> Any:
    return (column >= start) & (column < end)


async def load_facts(session: AsyncSession, tenant: str, start: datetime, end: datetime,
                     lookback: timedelta, parts: AbstractSet[str] = PARTS) -> Facts:
    """Facts that can count in [start, end): reported, ordered, closed, queued, rated or decided then.

    `lookback` reaches further back: the earlier incidents a repeat needs, the previous window
    a hotspot's trend needs, and incidents still open past their SLA. Of the `PARTS`, only
    those in `parts` are loaded (the others are left empty): one KPI reads few of them.
    """
    early = start - lookback
    # Subqueries rather than lists of ids: a busy month holds more ids than a query may bind.
    # Counted: incidents whose samples can fall in the window (an open one counts when its SLA passes).
    counted_wanted = (incidents.c.tenant == tenant) & or_(
        _between(incidents.c.reported_at, start, end), _between(incidents.c.first_closed_at, start, end),
        _between(incidents.c.queued_at, start, end),
        incidents.c.first_closed_at.is_(None) & or_(incidents.c.reported_at.is_(None), incidents.c.reported_at < end))
    counted_ids = select(incidents.c.incident_id).where(counted_wanted)
    # A rating in the window counts for the teams and officers of its incident's orders.
    rated_ids = select(ratings.c.incident_id).where(ratings.c.tenant == tenant,
                                                    _between(ratings.c.received_at, start, end))
    rated = (incidents.c.tenant == tenant) & incidents.c.incident_id.in_(rated_ids)
    with_orders = counted_wanted | rated if "ratings" in parts else counted_wanted
    order_wanted = (orders.c.tenant == tenant) & or_(
        _between(orders.c.created_at, start, end),
        orders.c.incident_id.in_(select(incidents.c.incident_id).where(with_orders)))
    # Also read, not counted: the earlier incidents a repeat or a trend looks back at, and the
    # incidents of the window's orders (for their district and grid).
    incident_wanted = with_orders | ((incidents.c.tenant == tenant) & or_(
        _between(incidents.c.reported_at, early, start), incidents.c.incident_id.in_(
            select(orders.c.incident_id).where(orders.c.tenant == tenant, _between(orders.c.created_at, start, end)))))
    incident_rows = (await session.execute(select(incidents).where(incident_wanted))).mappings().all()
    found = {row["incident_id"]: _incident(row) for row in incident_rows}
    order_rows = (await session.execute(select(orders).where(order_wanted))).mappings().all()
    member_rows = [] if "members" not in parts else (await session.execute(select(members).where(
        members.c.tenant == tenant,
        members.c.assignment_id.in_(select(orders.c.assignment_id).where(order_wanted))))).mappings().all()
    by_order: dict[UUID, list[Member]] = {}
    for row in member_rows:
        by_order.setdefault(row["assignment_id"], []).append(
            Member(row["officer_id"], row["acknowledged_at"], row["arrived_at"], row["distance_m"]))
    rating_rows = [] if "ratings" not in parts else (await session.execute(select(ratings).where(
        ratings.c.tenant == tenant,
        or_(_between(ratings.c.received_at, start, end), ratings.c.incident_id.in_(counted_ids))))).mappings().all()
    case_rows = [] if "cases" not in parts else (await session.execute(select(cases).where(
        cases.c.tenant == tenant,
        or_(_between(cases.c.decided_at, start, end), _between(cases.c.closed_at, start, end))))).mappings().all()
    mediation_rows = [] if "mediations" not in parts else (await session.execute(select(mediations).where(
        mediations.c.tenant == tenant, _between(mediations.c.concluded_at, start, end)))).mappings().all()
    return Facts(
        incidents=found,
        orders=[_order(row, by_order.get(row["assignment_id"], [])) for row in order_rows],
        ratings=[Rating(r["report_id"], r["incident_id"], r["rating"], r["received_at"], r["category"], r["source"])
                 for r in rating_rows],
        cases=[Case(r["case_id"], r["incident_id"], r["category"], r["opened_at"], r["decided_at"], r["outcome"],
                    r["closed_at"], r["on_time"], r["deadline_missed"], tuple(r["departments"] or ()))
               for r in case_rows],
        mediations=[Mediation(r["mediation_id"], r["incident_id"], r["category"], r["concluded_at"], r["outcome"],
                              r["on_time"]) for r in mediation_rows],
    )


def _incident(row: Any) -> Incident:
    return Incident(row["incident_id"], row["category"], row["source"], row["district"], row["grid"],
                    row["reported_at"], row["report_count"], row["first_closed_at"], row["resolution"],
                    row["reopen_count"], row["queued_at"], row["mediation_outcome"], row["lon"], row["lat"])


def _order(row: Any, found: list[Member]) -> Order:
    due = {stage: datetime.fromisoformat(at) for stage, at in (row["due"] or {}).items()}
    return Order(row["assignment_id"], row["incident_id"], row["team"], row["category"],
                 tuple(row["officer_ids"] or ()), row["created_at"], due, row["reported_at"], row["outcome"],
                 row["cancelled_at"], tuple(sorted(found, key=lambda m: m.officer_id)))


async def tenants(session: AsyncSession) -> list[str]:
    """Every tenant the read model holds facts of."""
    query = union(*(select(table.c.tenant).distinct() for table in READ_MODEL))
    return sorted(str(tenant) for tenant in (await session.execute(query)).scalars())
