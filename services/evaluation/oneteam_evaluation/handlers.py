"""Evaluation's Kafka edge: every event becomes a fact in the read model, whatever order they come in.

The consumer's inbox drops a redelivered event; the merge rules in store.writes make a late
or early event land where its event time puts it. Events are applied in batches (a fetch of
the live consumer, a batch of the rebuild): each step only adds rows to a `Writes`, which
merges them in memory and writes one upsert per table and rule set. Mediation's own topic is
read as soon as the contracts register it: steps are kept only for message types the
registry knows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import MESSAGES, Envelope
from oneteam_evaluation.store.days import DayMarks
from oneteam_evaluation.store.tables import cases, incidents, mediations, members, orders, ratings
from oneteam_evaluation.store.writes import Merge, Writes
from oneteam_eventbus import Handler
from oneteam_servicekit import Subscription

Step = Callable[[Writes, str, Any], None]
FETCH = 1000  # events a live fetch, and so a batch, holds at most
OWN, FILL, LEAST, GREATEST, ANY = Merge.OWN, Merge.FILL, Merge.LEAST, Merge.GREATEST, Merge.ANY


def group_name(generation: int) -> str:
    """The consumer group of one generation of the read model (a rebuild starts the next)."""
    return f"evaluation.read-model.g{generation}"


def subscriptions(generation: int, marks: DayMarks | None = None) -> list[Subscription]:
    """One consumer group over every topic the figures read: a fetch at a time, one event at a time after a failure."""
    handlers: dict[str, Handler] = {message_type: functools.partial(_one, marks=marks)
                                    for message_type in STEPS if message_type in MESSAGES}
    # A thousand events a fetch: a batch's fixed costs (its transaction, the day marking, one
    # upsert per table) spread over five times the events of the default 200 took live
    # consumption from ~5 000 to 6 300-7 900 events/s (bench, a busy month); such a batch's
    # transaction lasts about 0.15 s.
    return [Subscription(group=group_name(generation), handlers=handlers,
                         batch_handler=functools.partial(apply, marks=marks), max_records=FETCH,
                         prompt=False)]  # a read model: half a second late is never noticed


async def apply(session: AsyncSession, events: Iterable[Envelope[Any]], marks: DayMarks | None = None) -> None:
    """The events' facts, merged in memory and written set-wise in `session`'s transaction.

    With `marks`, the days whose stored samples the facts change are marked for settling again.
    """
    events = list(events)
    writes = Writes()
    for event in events:
        STEPS[event.type](writes, event.tenant, event.data)
    await writes.flush(session)
    if marks is not None:
        await marks.touch(session, events)


async def _one(session: AsyncSession, event: Envelope[Any], marks: DayMarks | None = None) -> None:
    await apply(session, [event], marks)


def incident_reported(w: Writes, tenant: str, d: Any) -> None:
    w.upsert(incidents, {
        "tenant": tenant, "incident_id": d.incident_id, "category": d.category, "source": str(d.source),
        "district": d.district, "grid": d.grid, "lon": d.location.lon, "lat": d.location.lat,
        "reported_at": d.reported_at}, dict.fromkeys(("category", "source", "district", "grid", "lon", "lat",
                                                      "reported_at"), OWN))


def incident_merged(w: Writes, tenant: str, d: Any) -> None:
    w.upsert(incidents, {"tenant": tenant, "incident_id": d.incident_id, "report_count": d.report_count},
                 {"report_count": GREATEST})


def incident_closed(w: Writes, tenant: str, d: Any) -> None:
    w.upsert(incidents, {
        "tenant": tenant, "incident_id": d.incident_id, "resolution": str(d.resolution),
        "first_closed_at": d.closed_at, "last_closed_at": d.closed_at},
        {"resolution": "last_closed_at", "first_closed_at": LEAST, "last_closed_at": GREATEST})


def incident_reopened(w: Writes, tenant: str, d: Any) -> None:
    w.upsert(incidents, {
        "tenant": tenant, "incident_id": d.incident_id, "reopen_count": d.reopen_count, "category": d.category,
        "district": d.district, "grid": d.grid},
        {"reopen_count": GREATEST, "category": FILL, "district": FILL, "grid": FILL})


def assignment_created(w: Writes, tenant: str, d: Any) -> None:
    w.upsert(orders, {
        "tenant": tenant, "assignment_id": d.assignment_id, "incident_id": d.incident_id, "team": d.team,
        "category": d.category, "officer_ids": list(d.officer_ids), "officers_as_of": d.created_at,
        "created_at": d.created_at, "due": {str(stage): due.isoformat() for stage, due in d.deadlines.items()}},
        {"incident_id": FILL, "team": OWN, "category": OWN, "officer_ids": "officers_as_of",
         "officers_as_of": GREATEST, "created_at": OWN, "due": OWN})


def assignment_reassigned(w: Writes, tenant: str, d: Any) -> None:
    w.upsert(orders, {
        "tenant": tenant, "assignment_id": d.assignment_id, "incident_id": d.incident_id,
        "officer_ids": list(d.to_officer_ids), "officers_as_of": d.reassigned_at},
        {"incident_id": FILL, "officer_ids": "officers_as_of", "officers_as_of": GREATEST})


def _member(w: Writes, tenant: str, d: Any, values: dict[str, Any],
                  rules: dict[str, Merge | str]) -> None:
    w.upsert(orders, {"tenant": tenant, "assignment_id": d.assignment_id, "incident_id": d.incident_id},
                 {"incident_id": FILL})
    w.upsert(members, {"tenant": tenant, "assignment_id": d.assignment_id, "officer_id": d.officer_id,
                                    **values}, rules)


def assignment_acknowledged(w: Writes, tenant: str, d: Any) -> None:
    _member(w, tenant, d, {"acknowledged_at": d.acknowledged_at}, {"acknowledged_at": LEAST})


def assignment_arrived(w: Writes, tenant: str, d: Any) -> None:
    _member(w, tenant, d, {"arrived_at": d.arrived_at, "distance_m": d.distance_m},
                  {"arrived_at": LEAST, "distance_m": FILL})


def assignment_reported(w: Writes, tenant: str, d: Any) -> None:
    w.upsert(orders, {
        "tenant": tenant, "assignment_id": d.assignment_id, "incident_id": d.incident_id,
        "reported_at": d.reported_at, "outcome": str(d.outcome)},
        {"incident_id": FILL, "reported_at": LEAST, "outcome": FILL})


def assignment_cancelled(w: Writes, tenant: str, d: Any) -> None:
    w.upsert(orders, {"tenant": tenant, "assignment_id": d.assignment_id, "incident_id": d.incident_id,
                                   "cancelled_at": d.cancelled_at}, {"incident_id": FILL, "cancelled_at": LEAST})


def assignment_queued(w: Writes, tenant: str, d: Any) -> None:
    w.upsert(incidents, {"tenant": tenant, "incident_id": d.incident_id, "queued_at": d.queued_at,
                                      "category": d.category}, {"queued_at": LEAST, "category": FILL})


def feedback_received(w: Writes, tenant: str, d: Any) -> None:
    # One rating per report: a reporter who rates again replaces the earlier rating.
    w.upsert(ratings, {
        "tenant": tenant, "report_id": d.report_id, "incident_id": d.incident_id, "rating": str(d.rating),
        "received_at": d.received_at, "category": d.category, "source": str(d.source)},
        {"rating": "received_at", "category": "received_at", "source": "received_at", "received_at": GREATEST})


def case_opened(w: Writes, tenant: str, d: Any) -> None:
    w.upsert(cases, {"tenant": tenant, "case_id": d.case_id, "incident_id": d.incident_id,
                                  "category": d.category, "opened_at": d.opened_at, "departments": list(d.departments)},
                 {"incident_id": OWN, "category": OWN, "opened_at": OWN, "departments": FILL})


def case_decided(w: Writes, tenant: str, d: Any) -> None:
    # The decision names the departments whose rules it applied: they replace the opening's guess.
    w.upsert(cases, {"tenant": tenant, "case_id": d.case_id, "category": d.category,
                                  "decided_at": d.decided_at, "outcome": str(d.outcome),
                                  "departments": list(d.departments) or None},
                 {"category": FILL, "decided_at": OWN, "outcome": OWN, "departments": OWN})


def case_deadline_missed(w: Writes, tenant: str, d: Any) -> None:
    w.upsert(cases, {"tenant": tenant, "case_id": d.case_id, "deadline_missed": True},
                 {"deadline_missed": ANY})


def case_closed(w: Writes, tenant: str, d: Any) -> None:
    w.upsert(cases, {"tenant": tenant, "case_id": d.case_id, "closed_at": d.closed_at,
                                  "on_time": d.on_time, "outcome": str(d.outcome) if d.outcome else None},
                 {"closed_at": OWN, "on_time": OWN, "outcome": FILL})


def mediation_failed(w: Writes, tenant: str, d: Any) -> None:
    # The hand-back to enforcement; mediation.concluded, where it exists, has the last word.
    w.upsert(mediations, {"tenant": tenant, "mediation_id": d.mediation_id, "incident_id": d.incident_id,
                                       "category": d.category, "outcome": "failed", "concluded_at": d.failed_at},
                 {"incident_id": FILL, "category": FILL, "outcome": FILL, "concluded_at": FILL})


def mediation_concluded(w: Writes, tenant: str, d: Any) -> None:
    w.upsert(mediations, {
        "tenant": tenant, "mediation_id": d.mediation_id, "incident_id": d.incident_id, "category": d.category,
        "outcome": str(d.outcome), "concluded_at": d.concluded_at, "on_time": d.on_time},
        {"incident_id": FILL, "category": OWN, "outcome": OWN, "concluded_at": OWN, "on_time": OWN})
    if d.incident_id is not None:
        w.upsert(incidents, {"tenant": tenant, "incident_id": d.incident_id,
                                          "mediation_outcome": str(d.outcome), "mediation_at": d.concluded_at},
                     {"mediation_outcome": "mediation_at", "mediation_at": GREATEST})


STEPS: dict[str, Step] = {
    "incident.reported": incident_reported, "incident.merged": incident_merged,
    "incident.closed": incident_closed, "incident.reopened": incident_reopened,
    "assignment.created": assignment_created, "assignment.reassigned": assignment_reassigned,
    "assignment.acknowledged": assignment_acknowledged, "assignment.arrived": assignment_arrived,
    "assignment.reported": assignment_reported, "assignment.cancelled": assignment_cancelled,
    "assignment.queued": assignment_queued, "feedback.received": feedback_received,
    "case.opened": case_opened, "case.decided": case_decided, "case.deadline_missed": case_deadline_missed,
    "case.closed": case_closed, "mediation.failed": mediation_failed, "mediation.concluded": mediation_concluded,
}
