"""What the read model knows, as plain values: one incident, order, rating, case or mediation each.

Every time is an event time (when it happened), never when the event reached us, so a late
or out-of-order event lands where it belongs. A fact whose first event has not arrived yet
(an acknowledgement read before its order) has None in the fields that event would fill.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class Incident:
    """An incident (事件) as its events describe it."""

    incident_id: UUID
    category: str | None = None
    source: str | None = None
    district: str | None = None
    grid: str | None = None
    reported_at: datetime | None = None
    report_count: int = 1
    first_closed_at: datetime | None = None
    resolution: str | None = None  # of the latest closure
    reopen_count: int = 0
    queued_at: datetime | None = None  # the first time nobody could be ordered
    mediation_outcome: str | None = None  # mediation.concluded's outcome, when mediated
    lon: float | None = None  # WGS-84, where it was reported
    lat: float | None = None


@dataclass(frozen=True)
class Member:
    """One officer on an order and when they acknowledged and arrived."""

    officer_id: str
    acknowledged_at: datetime | None = None
    arrived_at: datetime | None = None
    distance_m: float | None = None


@dataclass(frozen=True)
class Order:
    """An assignment (派单) and its 1-3-5-8 facts."""

    assignment_id: UUID
    incident_id: UUID | None = None
    team: str | None = None
    category: str | None = None
    officer_ids: tuple[str, ...] = ()  # the officers currently on the order (after reassignment)
    created_at: datetime | None = None
    due: dict[str, datetime] = field(default_factory=dict)  # SLA stage → deadline the order was given
    reported_at: datetime | None = None
    outcome: str | None = None
    cancelled_at: datetime | None = None
    members: tuple[Member, ...] = ()

    def current_members(self) -> list[Member]:
        """Members still on the order; an officer reassigned away no longer holds its clock."""
        known = {m.officer_id: m for m in self.members}
        return [known[officer] if officer in known else Member(officer) for officer in self.officer_ids]


@dataclass(frozen=True)
class Rating:
    """A reporter's rating (回访评价); one per report, the latest standing."""

    report_id: UUID
    incident_id: UUID
    rating: str
    received_at: datetime
    category: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Case:
    """An administrative penalty case (案件) as its events describe it."""

    case_id: UUID
    incident_id: UUID | None = None
    category: str | None = None
    opened_at: datetime | None = None
    decided_at: datetime | None = None
    outcome: str | None = None  # the discretion rule of the decision
    closed_at: datetime | None = None
    on_time: bool | None = None
    deadline_missed: bool = False
    departments: tuple[str, ...] = ()  # whose rules were in question (the decision's, once decided)


@dataclass(frozen=True)
class Mediation:
    """A mediation (调解) as its events describe it."""

    mediation_id: UUID
    incident_id: UUID | None = None
    category: str | None = None
    concluded_at: datetime | None = None
    outcome: str | None = None
    on_time: bool | None = None


PARTS = frozenset({"members", "ratings", "cases", "mediations"})
"""What a computation may read besides incidents and orders (which every KPI reads, for its dimensions)."""


@dataclass(frozen=True)
class Facts:
    """Everything one tenant's figures are computed from, for one query window."""

    incidents: dict[UUID, Incident] = field(default_factory=dict)
    orders: list[Order] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    mediations: list[Mediation] = field(default_factory=list)
