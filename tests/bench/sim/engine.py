"""The discrete-event loop: incidents arrive, dispatch matches, officers acknowledge, ride, handle.

Time is seconds after the shift starts. Events sit in a heap ordered by (time, stage, sequence):
at one instant, officers finishing and incidents arriving are all taken in before a matching
round runs, so a camera's batch of detections is matched together, as dispatch would see it.
"""

from __future__ import annotations

import heapq
import math
import time
from dataclasses import dataclass, field

from .city import City, Point, distance_m, toward
from .dispatch_adapter import Candidate, Dispatcher, Request
from .roster import OfficerSpec
from .workload import Incident


@dataclass(frozen=True)
class PolicySpec:
    """A dispatch policy: batch matching or nearest-first, matching at once or every `window_s`."""

    name: str
    batch: bool
    window_s: float = 0.0


POLICIES = {
    "nearest": PolicySpec("nearest", batch=False),
    "batch": PolicySpec("batch", batch=True),
    "batch-20s": PolicySpec("batch-20s", batch=True, window_s=20),
    "batch-60s": PolicySpec("batch-60s", batch=True, window_s=60),
}


@dataclass(frozen=True)
class Rules:
    """What dispatch and the command centre do with incidents nobody can reach in time."""

    arrive_within_s: float = 300.0  # dispatch orders only officers who can arrive within 5 minutes
    # A queued incident waits for a matching round to find an officer in reach; after this
    # long the command centre's operator widens the search to every district and any ETA.
    widen_after_s: float = 120.0
    widened_arrive_within_s: float = 4 * 3600.0
    drain_s: float = 3 * 3600.0  # officers stay past the shift's end to clear what is open


@dataclass
class Record:
    """What happened to one incident, in seconds after the shift start (None: never)."""

    incident: Incident
    ordered: float | None = None
    acknowledged: float | None = None
    arrived: float | None = None
    reported: float | None = None
    done: float | None = None
    queued: bool = False
    widened: bool = False
    officers: tuple[str, ...] = ()
    on_scene: int = 0


@dataclass
class _Officer:
    spec: OfficerSpec
    status: str = "available"  # available, busy, break
    leg_from: Point = (0.0, 0.0)
    leg_to: Point = (0.0, 0.0)
    leg_start: float = 0.0
    leg_end: float = 0.0
    busy_since: float = 0.0
    busy_s: float = 0.0
    break_due: bool = False

    def position(self, t: float) -> Point:
        if t >= self.leg_end or self.leg_end <= self.leg_start:
            return self.leg_to if t >= self.leg_start else self.leg_from
        return toward(self.leg_from, self.leg_to, (t - self.leg_start) / (self.leg_end - self.leg_start))

    def move(self, t: float, to: Point, start: float, end: float) -> None:
        here = self.position(t)
        self.leg_from, self.leg_to, self.leg_start, self.leg_end = here, to, start, end


@dataclass
class Run:
    """One policy over one shift."""

    policy: PolicySpec
    hours: float
    records: list[Record]
    busy_s: float
    on_duty_s: float
    rounds: int
    cpu_s: float

    @property
    def utilisation(self) -> float:
        return self.busy_s / self.on_duty_s if self.on_duty_s else 0.0


# Stages at one instant: state changes first, then the matching round.
_CHANGE, _ROUND = 0, 1


@dataclass
class Simulation:
    """One shift of `city` with `officers` facing `incidents` under `policy`."""

    city: City
    officers: list[OfficerSpec]
    incidents: list[Incident]
    policy: PolicySpec
    hours: float
    rules: Rules = field(default_factory=Rules)

    def run(self) -> Run:
        """Play the shift to the end (plus the drain time) and return what happened."""
        started = time.process_time()
        self.dispatcher = Dispatcher(self.city.neighbours, batch=self.policy.batch)
        self.state = {o.id: _Officer(o, leg_from=o.start, leg_to=o.start) for o in self.officers}
        self.records = [Record(i) for i in self.incidents]
        self.pending: list[Record] = []
        self.heap: list[tuple[float, int, int, str, object]] = []
        self.sequence = 0
        self.round_at: set[float] = set()
        self.rounds = 0
        self.break_s = 0.0
        for record in self.records:
            self._push(record.incident.at_s, "incident", record)
        for officer in self.state.values():
            if officer.spec.break_at_s is not None:
                self._push(officer.spec.break_at_s, "break", officer)
        end = self.hours * 3600 + self.rules.drain_s
        while self.heap:
            t, stage, _, kind, payload = heapq.heappop(self.heap)
            if t > end:
                break
            if stage == _ROUND:
                self.round_at.discard(t)
                self._round(t)
            else:
                getattr(self, f"_on_{kind}")(t, payload)
        busy = sum(o.busy_s for o in self.state.values())
        on_duty = len(self.state) * self.hours * 3600 - self.break_s
        return Run(self.policy, self.hours, self.records, busy, on_duty, self.rounds,
                   time.process_time() - started)

    # -- events -----------------------------------------------------------------------------

    def _on_incident(self, t: float, record: Record) -> None:
        self.pending.append(record)
        self._want_round(t)

    def _on_widen(self, t: float, record: Record) -> None:
        if record.ordered is None:
            record.widened = True
            self._want_round(t)

    def _on_arrive(self, t: float, payload: tuple[Record, str]) -> None:
        record, _ = payload
        if record.arrived is None:
            record.arrived = t
        record.on_scene += 1
        if record.on_scene == len(record.officers):  # joint work starts when everyone is there
            record.reported = t + record.incident.first_report_s
            self._push(t + record.incident.handling_s, "done", record)

    def _on_done(self, t: float, record: Record) -> None:
        record.done = t
        for officer_id in record.officers:
            officer = self.state[officer_id]
            horizon = self.hours * 3600  # work in the drain time is past the shift: not utilisation
            officer.busy_s += max(0.0, min(t, horizon) - min(officer.busy_since, horizon))
            if officer.break_due:
                self._start_break(t, officer)
            else:
                self._free(t, officer)

    def _on_break(self, t: float, officer: _Officer) -> None:
        if officer.status == "available":
            self._start_break(t, officer)
        else:
            officer.break_due = True

    def _on_break_over(self, t: float, officer: _Officer) -> None:
        self._free(t, officer)

    # -- helpers ----------------------------------------------------------------------------

    def _start_break(self, t: float, officer: _Officer) -> None:
        officer.status, officer.break_due = "break", False
        here = officer.position(t)
        officer.move(t, here, t, t)
        if t < self.hours * 3600:
            self.break_s += min(officer.spec.break_s, self.hours * 3600 - t)
        self._push(t + officer.spec.break_s, "break_over", officer)

    def _free(self, t: float, officer: _Officer) -> None:
        """Available again, riding back to the district's post (and orderable on the way)."""
        officer.status = "available"
        here = officer.position(t)
        post = self.city.district(officer.spec.district).post
        officer.move(t, post, t, t + self._travel_s(here, post, officer.spec.mode, 1.0))
        self._want_round(t)

    def _travel_s(self, a: Point, b: Point, mode: str, traffic: float) -> float:
        road = distance_m(a, b) * self.dispatcher.detour_factor
        return road / self.dispatcher.speed_mps(mode) * traffic

    def _want_round(self, t: float) -> None:
        window = self.policy.window_s
        at = t if window <= 0 else math.ceil(t / window - 1e-9) * window
        if at not in self.round_at:
            self.round_at.add(at)
            self._push(at, "round", None, stage=_ROUND)

    def _push(self, t: float, kind: str, payload: object, stage: int = _CHANGE) -> None:
        self.sequence += 1
        heapq.heappush(self.heap, (t, stage, self.sequence, kind, payload))

    def _round(self, t: float) -> None:
        """Ask dispatch's matching for officers for every incident still waiting."""
        if not self.pending:
            return
        self.rounds += 1
        free = [o for o in self.state.values() if o.status == "available"]
        candidates = [Candidate(o.spec.id, self.city.tenant, o.spec.district, o.spec.department, o.spec.skills,
                                o.spec.mode, o.position(t)) for o in free]
        requests = [self._request(r) for r in self.pending]
        outcomes = self.dispatcher.decide(requests, candidates, t)
        still: list[Record] = []
        for record, outcome in zip(self.pending, outcomes, strict=True):
            if outcome.officer_ids:
                self._order(t, record, outcome.officer_ids)
                continue
            still.append(record)
            if not record.queued:  # sent to the command centre's queue
                record.queued = True
                self._push(t + self.rules.widen_after_s, "widen", record)
        self.pending = still

    def _request(self, record: Record) -> Request:
        i = record.incident
        c = i.category
        within = self.rules.widened_arrive_within_s if record.widened else self.rules.arrive_within_s
        return Request(i.index, self.city.tenant, i.location, None if record.widened else i.district,
                       c.department, c.skills, c.joint_departments, c.priority, within)

    def _order(self, t: float, record: Record, officer_ids: tuple[str, ...]) -> None:
        i = record.incident
        record.ordered, record.officers = t, officer_ids
        record.acknowledged = t + i.ack_s
        for officer_id in officer_ids:
            officer = self.state[officer_id]
            officer.status, officer.busy_since = "busy", t
            here = officer.position(t)
            officer.move(t, here, t, t)  # stops where the order finds them, reads it, sets off
            ride = self._travel_s(here, i.location, officer.spec.mode, i.traffic)
            officer.move(t, i.location, t + i.ack_s, t + i.ack_s + ride)
            self._push(t + i.ack_s + ride, "arrive", (record, officer_id))
