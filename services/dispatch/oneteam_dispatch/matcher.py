"""The matcher: incidents that wait together are matched together.

Every replica runs the loop; a notification (or the fallback poll) wakes it, it lets a
short batching window pass so incidents arriving together are matched together, then
claims the pending incidents with ``FOR UPDATE SKIP LOCKED`` and takes the tenant's
advisory lock, so two replicas never hand the same officer two orders.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import AssignmentBasis, AssignmentQueued, QueueReason
from oneteam_dispatch.domain.assignments import Assignment, assign
from oneteam_dispatch.domain.matching import Decision, Demand, match
from oneteam_dispatch.domain.officers import OfficerStatus
from oneteam_dispatch.domain.reach import reaches
from oneteam_dispatch.domain.sla import SlaProfile
from oneteam_dispatch.events import emit, event_values
from oneteam_dispatch.locks import lock_tenant
from oneteam_dispatch.push import notify_orders
from oneteam_dispatch.runtime import DispatchRuntime
from oneteam_dispatch.store import assignments as assignment_store
from oneteam_dispatch.store import incidents as incident_store
from oneteam_dispatch.store import officers as officer_store
from oneteam_dispatch.store.incidents import IncidentRow
from oneteam_eventbus.outbox import add_event_rows
from oneteam_eventbus.tracing import continuing
from oneteam_servicekit.db import Writes

log = logging.getLogger(__name__)
BATCH_LIMIT = 2000


async def dispatch_incidents(runtime: DispatchRuntime, session: AsyncSession, tenant: str,
                             rows: Sequence[IncidentRow], now: datetime) -> list[Assignment]:
    """Match a tenant's waiting incidents together; order the chosen officers or queue the rest."""
    await lock_tenant(session, tenant)
    listed = await runtime.tenants.responsibilities(session, tenant)
    demands: list[Demand] = []
    rows_by_id = {row.id: row for row in rows}
    for row in rows:
        entry = listed.lookup(row.category) if listed else None
        if listed is None or entry is None:
            await queue(session, row, QueueReason.NO_RESPONSIBILITY_ENTRY,
                        f"the responsibility list has no entry for {row.category!r}", now)
            continue
        profile = listed.profiles[entry.sla_profile]
        demands.append(Demand(row.id, tenant, row.location, entry.needs(), row.district, row.priority,
                              profile.travel_limit_s(), row.excluded))
    if not demands:
        return []
    policy = runtime.tenants.policy(tenant)
    # Only the officers these demands could get, not the tenant's whole roster: reading 7 750
    # officers took 270-670 ms a batch, far more than matching them (domain.reach says why
    # the decisions stay the same).
    officers = await officer_store.reachable_officers(session, tenant, reaches(demands, policy), runtime.roster_rows)
    made: list[Order] = []
    for decision in match(demands, officers, now, policy):
        row = rows_by_id[decision.incident_id]
        if not decision.assigned:
            await queue(session, row, decision.queued_code or QueueReason.NO_OFFICER_IN_REACH, decision.reason(), now)
            continue
        assert listed is not None
        entry = listed.entries[row.category]
        made.append(Order(row, _assignment(row, decision, listed.profiles[entry.sla_profile], now),
                          entry.team_type.value))
    await place(session, made, AssignmentBasis.MATCHED)
    return [o.assignment for o in made]


@dataclass(frozen=True)
class Order:
    """An assignment about to be stored, with the incident it serves and the team type it names."""

    row: IncidentRow
    assignment: Assignment
    team: str | None


async def order(session: AsyncSession, row: IncidentRow, decision: Decision, profile: SlaProfile,
                now: datetime, *, team: str | None, basis: AssignmentBasis = AssignmentBasis.MATCHED) -> Assignment:
    """Create the assignment for a decision: store it, start its clock, tell the officers."""
    made = Order(row, _assignment(row, decision, profile, now), team)
    await place(session, [made], basis)
    return made.assignment


def _assignment(row: IncidentRow, decision: Decision, profile: SlaProfile, now: datetime) -> Assignment:
    a = assign(row.tenant, row.id, row.category, row.priority, row.location, decision, profile, now)
    if row.reopen_count:
        # The officer and the board see at once that this problem came back.
        a = replace(a, reason=f"reopened {row.reopen_count}× at intake; {a.reason}")
    return a


async def place(session: AsyncSession, orders: Sequence[Order], basis: AssignmentBasis) -> None:
    """Store the orders and start their clocks, mark their officers and incidents, stage their
    events and tell the officers' terminals: a statement of each kind for every order of a match.

    Orders of one match touch distinct rows (an officer gets one order per match). One order's
    writes went one by one at first, then as one statement per order; a match of twenty orders
    still paid forty round trips and as many statement compilations, ~15 % of dispatch's time
    at 100 reports/s (py-spy). Each statement here is compiled once per process.
    """
    if not orders:
        return
    made = [o.assignment for o in orders]
    await assignment_store.add_assignments(session, made)
    writes = Writes()  # three updates, none read back before the commit: one round trip
    writes.add(officer_store.status_update([i for a in made for i in a.officer_ids], OfficerStatus.ASSIGNED,
                                           assigned_at=made[0].created_at))
    writes.add(incident_store.state_update([o.row.id for o in orders], "assigned", None))
    writes.add(incident_store.unqueueing([o.row.id for o in orders]))
    await writes.run(session)
    events = []
    for o in orders:
        with continuing(o.row.traceparent, "dispatch order"):
            events.append(event_values(o.assignment.created_event(o.team, basis), tenant=o.row.tenant,
                                       subject=o.assignment.id, correlation=o.row.correlation_id))
    await add_event_rows(session, events)
    await notify_orders(session, [(a.officer_ids, a.id) for a in made], "created")


async def queue(session: AsyncSession, row: IncidentRow, code: QueueReason, reason: str, now: datetime,
                assignment_id: UUID | None = None) -> None:
    """Put an incident on the command centre's queue and say so on the assignments topic.

    The board shows the queue at the top; `assignment.queued` carries only the code, since
    subscribers outside may not read the free-text reason (it names officers).
    """
    log.warning("incident %s of %s queued for the command centre: %s", row.id, row.tenant, reason)
    await incident_store.queue(session, row, reason, now)
    with continuing(row.traceparent, "dispatch queue"):
        await emit(session, AssignmentQueued(incident_id=row.id, assignment_id=assignment_id, category=row.category,
                                             priority=row.priority, reason=code, queued_at=now),
                   tenant=row.tenant, subject=row.id, correlation=row.correlation_id)


class Matcher:
    """The loop that matches pending incidents in batches."""

    def __init__(self, runtime: DispatchRuntime) -> None:
        self._runtime = runtime
        self._wake = asyncio.Event()
        self._woken_at = 0.0

    def wake(self) -> None:
        """Incidents are waiting: match soon."""
        if not self._wake.is_set():
            self._woken_at = time.monotonic()  # the first of those waiting came now
        self._wake.set()

    async def run(self) -> None:
        """Match until cancelled."""
        settings = self._runtime.dispatch_settings
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), settings.matcher_poll_s)
            # The window runs from the wake of the first incident waiting, not from here: one
            # that came while the last batch was matched has already waited that long. Waiting
            # the whole window again after each batch made it latency every order paid twice
            # under load (pipeline benchmark).
            waited = time.monotonic() - self._woken_at if self._wake.is_set() else 0.0
            self._wake.clear()
            await asyncio.sleep(max(0.0, settings.batch_window_ms / 1000 - waited))
            try:
                while await self.run_once() >= BATCH_LIMIT:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("matching failed; will retry")

    async def run_once(self) -> int:
        """Match every pending incident now; returns how many were claimed."""
        async with self._runtime.transaction() as session:
            pending = await incident_store.claim_pending(session, BATCH_LIMIT)
            by_tenant: dict[str, list[IncidentRow]] = defaultdict(list)
            for row in pending:
                by_tenant[row.tenant].append(row)
            now = self._runtime.clock.now()
            for tenant, rows in sorted(by_tenant.items()):
                await dispatch_incidents(self._runtime, session, tenant, rows, now)
        return len(pending)
