"""A simulated shift as the suite's own events: what intake, dispatch and the reporters would have published.

One policy's `Run` becomes `incident.reported`, `assignment.queued`, `assignment.created` (with
the deadlines of the category's SLA profile), `.acknowledged`, `.arrived`, `.reported`,
`incident.closed` and `feedback.received`, placed on a real local day, so evaluation can show a
day of KPIs and its daily report without a real city.

The demo tenant's own configuration decides what the events say: the district and grid come
from intake's GeoJSON (where intake would place the report), the team and the SLA profile from
dispatch's responsibility list. Every id, event ids included, is a uuid5 of the shift's key,
so emitting the same shift twice changes nothing (evaluation's inbox drops a known event id).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

from oneteam_contracts import (
    AssignmentAcknowledged,
    AssignmentArrived,
    AssignmentCreated,
    AssignmentOutcome,
    AssignmentQueued,
    AssignmentReported,
    Envelope,
    FeedbackReceived,
    GeoPoint,
    IncidentClosed,
    IncidentReported,
    IncidentResolution,
    Priority,
    QueueReason,
    ReportSource,
    Satisfaction,
    SlaStage,
    new_event,
)
from oneteam_dispatch.config import load_tenant_file
from oneteam_dispatch.domain.responsibility import ResponsibilityList
from oneteam_intake.config import load_tenant
from oneteam_intake.domain.geography import OutsideTenant, TenantMap

from .city import TENANT
from .engine import Record, Run

ROOT = Path(__file__).resolve().parents[3]
RESPONSIBILITIES = ROOT / "services/dispatch/oneteam_dispatch/config/330106004/responsibilities.yaml"
AREAS = ROOT / "services/intake/oneteam_intake/config/tenants/330106004.geojson"
ZONE = ZoneInfo("Asia/Shanghai")
SOURCE = "simulator"  # the producer the events name: not a service, so they are never mistaken for real ones
NAMESPACE = UUID("6f1d6a52-3d0e-4c55-9a57-5e0c0f4b1d26")

# The simulator's joint restaurant inspection (fire and food together) is not in the demo
# catalog; the demo's own joint fire category stands for it.
CATEGORY_CODES = {"restaurant_hazard": "fire_hazard"}
# Reporters who can be called back and rate (回访): people, not cameras, grid workers or platforms.
RATING_SOURCES = {"citizen_app", "hotline_12345", "shop_app"}
RATED_SHARE = 0.7
# What the officer reports, by the category's handling mode (share of incidents): most end on site,
# some become a case or go to the mediation room, a few turn out to be nothing.
OUTCOME_MIX: dict[str, list[tuple[AssignmentOutcome, float]]] = {
    "on_site": [(AssignmentOutcome.RESOLVED_ON_SITE, 0.97), (AssignmentOutcome.FALSE_REPORT, 0.03)],
    "case": [(AssignmentOutcome.RESOLVED_ON_SITE, 0.65), (AssignmentOutcome.NEEDS_CASE, 0.32),
             (AssignmentOutcome.FALSE_REPORT, 0.03)],
    "mediation": [(AssignmentOutcome.RESOLVED_ON_SITE, 0.82), (AssignmentOutcome.DISPUTE_FOR_MEDIATION, 0.18)],
}
RESOLUTION = {AssignmentOutcome.RESOLVED_ON_SITE: IncidentResolution.RESOLVED_ON_SITE,
              AssignmentOutcome.NEEDS_CASE: IncidentResolution.CASE_OPENED,
              AssignmentOutcome.DISPUTE_FOR_MEDIATION: IncidentResolution.SENT_TO_MEDIATION,
              AssignmentOutcome.FALSE_REPORT: IncidentResolution.FALSE_REPORT}
STAGES = ("acknowledge", "coordinate", "arrive", "report")


@dataclass(frozen=True)
class Shift:
    """Where a run happened: the tenant, the local day and hour it started, and a key naming it.

    `key` must differ between shifts meant to add up (another seed, policy or staffing) and stay
    the same for a shift emitted again; `shift_key` builds it from the run's parameters.
    """

    day: date
    key: str
    start_hour: float = 8.0
    tenant: str = TENANT

    @property
    def start(self) -> datetime:
        """The shift's first second, in UTC."""
        local = datetime.combine(self.day, time(), ZONE) + timedelta(hours=self.start_hour)
        return local.astimezone(UTC)

    def at(self, seconds: float) -> datetime:
        """A simulated time (seconds after the start) on the real clock, to the millisecond."""
        return self.start + timedelta(milliseconds=round(seconds * 1000))

    def id(self, *parts: object) -> UUID:
        """A stable id for one thing of this shift."""
        return uuid5(NAMESPACE, "/".join(str(p) for p in (self.tenant, self.day, self.key, *parts)))


def shift_key(policy: str, seed: int, officers: int, scale: float, hours: float) -> str:
    """The key of a shift: what makes two runs different shifts."""
    return f"{policy}-seed{seed}-officers{officers}-scale{scale:g}-hours{hours:g}"


def yesterday(now: datetime | None = None) -> date:
    """Yesterday in Hangzhou: the default day of an emitted shift (a whole day, a daily report to read)."""
    return ((now or datetime.now(UTC)).astimezone(ZONE) - timedelta(days=1)).date()


@cache
def responsibilities() -> ResponsibilityList:
    """The demo tenant's responsibility list, as `make run` loads it into dispatch."""
    return load_tenant_file(RESPONSIBILITIES).responsibilities


@cache
def areas() -> TenantMap:
    """The demo tenant's districts and grids, as `make run` loads them into intake."""
    return load_tenant(AREAS)


def category_code(record: Record) -> str:
    """The demo catalog's code for the record's category."""
    code = record.incident.category.code
    return CATEGORY_CODES.get(code, code)


def location(record: Record) -> GeoPoint:
    """Where the incident is, to 6 decimals (0.1 m) as a phone's map SDK gives it."""
    lon, lat = record.incident.location
    return GeoPoint(lon=round(lon, 6), lat=round(lat, 6))


def placement(record: Record) -> tuple[str, str | None]:
    """District and grid as intake places the report; a point just outside the outline (intake would
    refuse it) keeps the simulator's district and no grid."""
    try:
        found = areas().locate(location(record))
    except OutsideTenant:
        return record.incident.district, None
    return found.district or record.incident.district, found.grid


def deadlines(record: Record, ordered: datetime) -> dict[SlaStage, datetime]:
    """The order's deadlines under its category's SLA profile (1-3-5-8, or the 20-minute rapid one)."""
    profile = responsibilities().profile_for(category_code(record))
    if profile is None:
        return {SlaStage(s): ordered + timedelta(minutes=m) for s, m in zip(STAGES, (1, 3, 5, 8), strict=True)}
    return profile.deadlines(ordered)


def last_arrival(record: Record) -> float | None:
    """When the last officer of the order arrived: joint work starts then, and the first report follows
    `first_report_s` later (the engine's rule), so it is known even where only the first arrival is kept."""
    if record.reported is None:
        return None
    return record.reported - record.incident.first_report_s


def arrivals(record: Record) -> list[float]:
    """Each officer's arrival, lead first: the first and the last are known; others arrived with the last."""
    last = last_arrival(record)
    if record.arrived is None or last is None:
        return []
    return [record.arrived] + [last] * (len(record.officers) - 1)


def first_round_s(record: Record, window_s: float) -> float:
    """When the incident first met a matching round (the engine's rule): at once, or at the next window."""
    at = record.incident.at_s
    return at if window_s <= 0 else math.ceil(at / window_s - 1e-9) * window_s


def shift_events(run: Run, shift: Shift) -> list[Envelope[Any]]:
    """Every event of `run` on `shift`'s day: incident by incident, each one's life in time order.

    Not the whole shift in time order: in a running suite dispatch reads `incident.reported` too and
    would order a real officer to every simulated incident hours before its closure came; with the
    `incident.closed` right behind it on the partition, dispatch mostly closes it first, and withdraws
    the few orders its matcher made in between (47 of 631 in one check). Evaluation's merges do not
    depend on the order events come in.
    """
    rng = random.Random(f"events-{shift.key}")
    out: list[Envelope[Any]] = []
    for record in run.records:
        index = record.incident.index
        life = sorted(enumerate(_incident(record, shift, run.policy.window_s, rng)), key=lambda e: (e[1][0], e[0]))
        for n, (at, subject, data) in life:
            event = new_event(data, source=SOURCE, tenant=shift.tenant, subject=str(subject), time=at)
            fixed = {"id": shift.id(index, "event", n), "correlation_id": shift.id(index, "flow")}
            out.append(event.model_copy(update=fixed))
    return out


Timed = tuple[datetime, UUID, Any]  # when, the aggregate it is about (the subject), the message


def _incident(record: Record, shift: Shift, window_s: float, rng: random.Random) -> list[Timed]:
    """One incident's messages: reported, queued if nobody could go at once, then its order's life."""
    i = record.incident
    incident_id, report_id = shift.id(i.index, "incident"), shift.id(i.index, "report")
    district, grid = placement(record)
    code, priority = category_code(record), Priority(i.category.priority)
    where = location(record)
    out: list[Timed] = [(shift.at(i.at_s), incident_id, IncidentReported(
        incident_id=incident_id, report_id=report_id, category=code, source=ReportSource(i.source),
        priority=priority, location=where, district=district, grid=grid, reported_at=shift.at(i.at_s)))]
    if record.queued:
        queued = shift.at(first_round_s(record, window_s))
        out.append((queued, incident_id, AssignmentQueued(
            incident_id=incident_id, category=code, priority=priority, reason=QueueReason.NO_OFFICER_IN_REACH,
            queued_at=queued)))
    if record.ordered is not None:
        out += _order(record, shift, incident_id, code, priority, where, rng)
    return out


def _order(record: Record, shift: Shift, incident_id: UUID, code: str, priority: Priority, where: GeoPoint,
           rng: random.Random) -> list[Timed]:
    """The order and what its officers did, the closure and the reporter's rating."""
    assert record.ordered is not None
    i = record.incident
    assignment_id = shift.id(i.index, "assignment")
    ordered = shift.at(record.ordered)
    entry = responsibilities().lookup(code)
    out: list[Timed] = [(ordered, assignment_id, AssignmentCreated(
        assignment_id=assignment_id, incident_id=incident_id, officer_ids=list(record.officers),
        team=entry.team_type.value if entry else None, category=code, priority=priority, location=where,
        deadlines=deadlines(record, ordered), created_at=ordered))]
    if record.acknowledged is not None:
        acknowledged = shift.at(record.acknowledged)
        out += [(acknowledged, assignment_id, AssignmentAcknowledged(
            assignment_id=assignment_id, incident_id=incident_id, officer_id=officer, acknowledged_at=acknowledged))
            for officer in record.officers]
    for officer, arrived in zip(record.officers, arrivals(record), strict=False):
        out.append((shift.at(arrived), assignment_id, AssignmentArrived(
            assignment_id=assignment_id, incident_id=incident_id, officer_id=officer, arrived_at=shift.at(arrived),
            location=where, distance_m=0.0)))
    outcome = _draw(rng, OUTCOME_MIX.get(entry.handling.value if entry else "on_site", OUTCOME_MIX["on_site"]))
    rated = i.source in RATING_SOURCES and rng.random() < RATED_SHARE
    rating, callback_s = _rating(rng, record), rng.uniform(10 * 60, 2 * 3600)
    if record.reported is None:
        return out
    reported = shift.at(record.reported)
    out.append((reported, assignment_id, AssignmentReported(
        assignment_id=assignment_id, incident_id=incident_id, officer_id=record.officers[0], outcome=outcome,
        reported_at=reported)))
    if record.done is None:
        return out
    closed = shift.at(max(record.done, record.reported))  # a short handling still ends with the officer's report
    out.append((closed, incident_id, IncidentClosed(incident_id=incident_id, resolution=RESOLUTION[outcome],
                                                    closed_at=closed)))
    if rated and outcome is not AssignmentOutcome.FALSE_REPORT:
        received = closed + timedelta(seconds=callback_s)
        report_id = shift.id(i.index, "report")
        out.append((received, report_id, FeedbackReceived(
            incident_id=incident_id, report_id=report_id, category=code, source=ReportSource(i.source),
            rating=rating, received_at=received)))
    return out


def _draw(rng: random.Random, mix: list[tuple[AssignmentOutcome, float]]) -> AssignmentOutcome:
    return rng.choices([o for o, _ in mix], weights=[w for _, w in mix])[0]


def _rating(rng: random.Random, record: Record) -> Satisfaction:
    """A reporter's rating: nearly always satisfied (Cuiyuan reports 99.5 %), less so after a long wait."""
    waited_min = (record.arrived - record.incident.at_s) / 60 if record.arrived is not None else 60.0
    unhappy = 0.005 if waited_min <= 10 else 0.04 if waited_min <= 30 else 0.15
    roll = rng.random()
    if roll < unhappy:
        return Satisfaction.DISSATISFIED
    return Satisfaction.BASICALLY_SATISFIED if roll < unhappy + 0.05 else Satisfaction.SATISFIED


def order_clock(run: Run, shift: Shift) -> dict[str, tuple[int, int]]:
    """The run's 1-3-5-8 counted as evaluation counts it: per order, from the order, against the deadlines
    the order was given, a stage done when its last officer did it (coordination: at once for one officer).

    The simulator's own table times every stage from the report (a queued incident is late for its
    reporter); this is the like-for-like figure for evaluation's (numerator, denominator) per stage.
    """
    counts = {kpi: [0, 0] for kpi in ("acknowledged", "coordinated", "arrived", "reported")}
    for record in run.records:
        if record.ordered is None:
            continue
        due = deadlines(record, shift.at(record.ordered))
        joint = len(record.officers) > 1
        done = {"acknowledged": (SlaStage.ACKNOWLEDGE, record.acknowledged),
                "coordinated": (SlaStage.COORDINATE, record.acknowledged if joint else record.ordered),
                "arrived": (SlaStage.ARRIVE, last_arrival(record) if joint else record.arrived),
                "reported": (SlaStage.REPORT, record.reported)}
        for kpi, (stage, at) in done.items():
            counts[kpi][1] += 1
            counts[kpi][0] += at is not None and shift.at(at) <= due[stage]
    return {kpi: (n, d) for kpi, (n, d) in counts.items()}
