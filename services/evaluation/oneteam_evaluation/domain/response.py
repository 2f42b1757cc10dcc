"""The response clock's KPIs: 1-3-5-8, the 20-minute rapid response, queue time.

An order's stage is done when every officer currently on it has done it (as dispatch's clock
counts it); coordination only exists for joint work, so a one-officer order is coordinated
when it is made.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from uuid import UUID

from oneteam_evaluation.domain.facts import Facts, Incident, Order
from oneteam_evaluation.domain.figures import Sample, dims, minutes
from oneteam_evaluation.domain.rules import Rules, incident_dims

STANDARD_1358 = {"acknowledge": 1.0, "coordinate": 3.0, "arrive": 5.0, "report": 8.0}
"""Minutes after the order (Cuiyuan's 1-3-5-8), used when an order carries no deadline for a stage."""


def stage_done_at(order: Order, stage: str) -> datetime | None:
    """When `stage` of the order was done, or None while it is not."""
    members = order.current_members()
    if stage == "report":
        return order.reported_at
    if stage == "coordinate" and len(members) == 1:
        return order.created_at
    times = [m.arrived_at if stage == "arrive" else m.acknowledged_at for m in members]
    done = [t for t in times if t is not None]
    if not times or len(done) < len(times):
        return None
    return max(done)


def stage_due(order: Order, stage: str) -> datetime:
    """The stage's deadline: the one the order was given, else 1-3-5-8 from the order."""
    assert order.created_at is not None
    return order.due.get(stage) or order.created_at + minutes(STANDARD_1358[stage])


def order_dims(rules: Rules, order: Order, incident: Incident | None) -> dict[str, tuple[str, ...]]:
    """An order's dimension values; an order with several officers counts for each of them."""
    return dims(tenant=rules.tenant, team=order.team, officer=order.officer_ids,
                category=order.category or (incident.category if incident else None),
                district=incident.district if incident else None, grid=incident.grid if incident else None,
                source=incident.source if incident else None)


def _judged(facts: Facts) -> Iterator[tuple[Order, datetime]]:
    # An order whose assignment.created has not arrived yet has no clock to judge against.
    return ((o, o.created_at) for o in facts.orders if o.created_at is not None)


def _judge(facts: Facts, rules: Rules, order: Order, made: datetime, done: datetime | None, due: datetime,
           now: datetime) -> Sample | None:
    """Was the step done by `due`? None when it cannot be judged (withdrawn first, or not yet due)."""
    if done is None and (order.cancelled_at is not None or now < due):
        return None
    seconds = (done - made).total_seconds() if done is not None else None
    incident = facts.incidents.get(order.incident_id) if order.incident_id else None
    return Sample(order.incident_id or order.assignment_id, made, order_dims(rules, order, incident),
                  hit=done is not None and done <= due, seconds=seconds)


def stage_samples(facts: Facts, rules: Rules, stage: str, now: datetime) -> list[Sample]:
    """1-3-5-8 for one stage: was it done by its deadline?

    Excluded: an order withdrawn (cancelled) before the stage was done, since its incident
    ended elsewhere and nobody had to finish; an order whose stage is undone but not yet due.
    """
    judged = (_judge(facts, rules, o, made, stage_done_at(o, stage), stage_due(o, stage), now)
              for o, made in _judged(facts))
    return [sample for sample in judged if sample is not None]


def is_rapid(order: Order, rules: Rules) -> bool:
    """Enforcement-type disputes: a category on the tenant's list, or an order on the 20-minute profile."""
    if order.category in rules.rapid_categories:
        return True
    report_due, created = order.due.get("report"), order.created_at
    return report_due is not None and created is not None and report_due - created == minutes(rules.rapid_minutes)


def rapid_samples(facts: Facts, rules: Rules, now: datetime) -> list[Sample]:
    """20-minute rapid response: every officer on site within 20 minutes of the order (excluded as 1-3-5-8)."""
    limit = minutes(rules.rapid_minutes)
    judged = (_judge(facts, rules, o, made, stage_done_at(o, "arrive"), made + limit, now)
              for o, made in _judged(facts) if is_rapid(o, rules))
    return [sample for sample in judged if sample is not None]


def queue_samples(facts: Facts, rules: Rules, now: datetime) -> list[Sample]:
    """Queue time: from the first time nobody could be ordered to the next order (hit = ordered by now)."""
    first_order_after: dict[UUID, datetime] = {}
    for order, made in _judged(facts):
        incident = facts.incidents.get(order.incident_id) if order.incident_id else None
        if incident is None or incident.queued_at is None or made < incident.queued_at:
            continue
        known = first_order_after.get(incident.incident_id)
        first_order_after[incident.incident_id] = min(known, made) if known else made
    samples = []
    for incident in facts.incidents.values():
        if incident.queued_at is None:
            continue
        ordered = first_order_after.get(incident.incident_id)
        waited = (ordered or now) - incident.queued_at
        samples.append(Sample(incident.incident_id, incident.queued_at, incident_dims(rules, incident),
                              hit=ordered is not None, seconds=max(waited, timedelta()).total_seconds(),
                              ticking=ordered is None))
    return samples
