"""An assignment's life after the order, shared by the HTTP edge and the deadline scheduler:
the officer's steps, reassignment (automatic or by the command centre), escalation and
what the reported outcome sets off. Locks follow the order of ``oneteam_dispatch.locks``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from uuid import UUID, uuid4

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import (
    AssignmentBasis,
    AssignmentOutcome,
    AssignmentReassigned,
    CaseRequested,
    EscalationReason,
    IncidentClosed,
    IncidentResolution,
    MediationRequested,
    QueueReason,
    ReassignReason,
    SlaStage,
)
from oneteam_dispatch.domain import assignments as rules
from oneteam_dispatch.domain.assignments import Assignment
from oneteam_dispatch.domain.deadlines import escalate
from oneteam_dispatch.domain.incidents import NO_NEW_ORDERS, IncidentState
from oneteam_dispatch.domain.matching import Decision, Demand, Pick, match
from oneteam_dispatch.domain.officers import Officer, OfficerStatus
from oneteam_dispatch.domain.overrides import unmet_needs
from oneteam_dispatch.domain.reach import reaches
from oneteam_dispatch.domain.responsibility import Need
from oneteam_dispatch.domain.sla import STANDARD_1358, SlaProfile
from oneteam_dispatch.events import emit, emitted
from oneteam_dispatch.locks import lock_tenant
from oneteam_dispatch.matcher import order, queue
from oneteam_dispatch.push import notify_orders
from oneteam_dispatch.runtime import DispatchRuntime
from oneteam_dispatch.store import assignments as assignment_store
from oneteam_dispatch.store import incidents as incident_store
from oneteam_dispatch.store import officers as officer_store
from oneteam_servicekit import Conflict, InvalidRequest, NotFound
from oneteam_servicekit.db import Writes

_CLOSING = {
    AssignmentOutcome.RESOLVED_ON_SITE: IncidentResolution.RESOLVED_ON_SITE,
    AssignmentOutcome.FALSE_REPORT: IncidentResolution.FALSE_REPORT,
    AssignmentOutcome.TRANSFERRED: IncidentResolution.TRANSFERRED,
}


async def load_for_update(session: AsyncSession, assignment_id: UUID, tenant: str | None) -> Assignment:
    """The assignment, locked after its incident (the one lock order); another tenant's is not found."""
    a = await assignment_store.lock_assignment(session, assignment_id)
    if a is None or (tenant is not None and a.tenant != tenant):
        raise NotFound(f"assignment {assignment_id} does not exist")
    return a


def acknowledge(a: Assignment, officer_id: str, now: datetime, writes: Writes) -> Assignment:
    """The officer saw the order and sets off (its writes staged in `writes`)."""
    after, event = rules.acknowledge(a, officer_id, now)
    if event is not None:
        _stage_step(writes, after, event, [officer_id], OfficerStatus.EN_ROUTE, now)
    return after


def arrive(a: Assignment, officer: Officer, note: str | None, radius_m: float, now: datetime,
           writes: Writes) -> Assignment:
    """The officer is on site, checked against their latest position (its writes staged in `writes`)."""
    after, event = rules.arrive(a, officer.id, officer.position, note, radius_m, now)
    if event is not None:
        _stage_step(writes, after, event, [officer.id], OfficerStatus.ON_SCENE, now)
    return after


async def report(runtime: DispatchRuntime, session: AsyncSession, a: Assignment, officer_id: str,
                 outcome: AssignmentOutcome, notes: str | None, photo_ids: Sequence[str],
                 now: datetime, writes: Writes) -> Assignment:
    """The outcome is in: the officers are free again and the next step is set off (its writes
    staged in `writes`)."""
    after, event = rules.report(a, officer_id, outcome, notes, tuple(photo_ids), now)
    if event is None:
        return after
    _stage_step(writes, after, event, a.officer_ids, OfficerStatus.AVAILABLE, now)
    await _hand_off(runtime, session, writes, after, officer_id, outcome, notes, list(photo_ids), now)
    return after


def _stage_step(writes: Writes, after: Assignment, event: BaseModel, officer_ids: Sequence[str],
                status: OfficerStatus, now: datetime) -> None:
    # An officer's step changes rows its transaction has locked already (the incident and the
    # order) and then the officers' rows, the last level of `locks`: staged together they go as
    # one statement, with the stored answer (`once`), instead of a round trip each.
    writes.add(assignment_store.assignment_update(after, now))
    writes.add(officer_store.status_update(officer_ids, status))
    writes.add(emitted(event, tenant=after.tenant, subject=after.id))


_HAND_OFF = "hand_off_"  # its event's parameter names, beside the step's own event's


async def _hand_off(runtime: DispatchRuntime, session: AsyncSession, writes: Writes, a: Assignment,
                    officer_id: str, outcome: AssignmentOutcome, notes: str | None, photo_ids: list[str],
                    now: datetime) -> None:
    # The events go to different topics from the step's own (incidents, hand-offs): their order
    # against it in the outbox carries nothing a consumer could rely on.
    if outcome in _CLOSING:
        writes.add(incident_store.state_update([a.incident_id], "closed"))
        writes.add(emitted(IncidentClosed(incident_id=a.incident_id, resolution=_CLOSING[outcome], closed_at=now,
                                          has_note=bool(notes)),
                           tenant=a.tenant, subject=a.incident_id, prefix=_HAND_OFF))
    elif outcome is AssignmentOutcome.NEEDS_CASE:
        listed = await runtime.tenants.responsibilities(session, a.tenant)
        entry = listed.lookup(a.category) if listed else None
        writes.add(incident_store.state_update([a.incident_id], "handed_off", "case requested"))
        writes.add(emitted(CaseRequested(
            request_id=uuid4(), incident_id=a.incident_id, assignment_id=a.id, category=a.category,
            department=entry.department if entry else None, legal_basis=entry.legal_basis if entry else None,
            location=a.location, officer_id=officer_id, notes=notes, photo_ids=photo_ids, requested_at=now,
        ), tenant=a.tenant, subject=a.incident_id, prefix=_HAND_OFF))
    else:
        writes.add(incident_store.state_update([a.incident_id], "handed_off", "mediation requested"))
        writes.add(emitted(MediationRequested(
            request_id=uuid4(), incident_id=a.incident_id, assignment_id=a.id, category=a.category,
            location=a.location, officer_id=officer_id, notes=notes, requested_at=now,
        ), tenant=a.tenant, subject=a.incident_id, prefix=_HAND_OFF))


async def reassign_automatically(runtime: DispatchRuntime, session: AsyncSession, a: Assignment,
                                 leaving: set[str], reason: str, now: datetime,
                                 code: ReassignReason = ReassignReason.NOT_ACKNOWLEDGED) -> Assignment:
    """Find the next best officers for the departments of `leaving`; escalate when there are none."""
    incident = await incident_store.get_incident(session, a.incident_id, for_update=True)
    await lock_tenant(session, a.tenant)
    excluded = set(leaving) | set(a.officer_ids) | (set(incident.excluded) if incident else set())
    skills = await _entry_skills(runtime, session, a)
    needs = tuple(Need(m.department, skills.get(m.department, frozenset()))
                  for m in a.members if m.officer_id in leaving)
    profile = await _profile(runtime, session, a)
    demand = Demand(a.incident_id, a.tenant, a.location, needs, incident.district if incident else None, a.priority,
                    profile.travel_limit_s(), frozenset(excluded))
    policy = runtime.tenants.policy(a.tenant)
    officers = await officer_store.reachable_officers(session, a.tenant, reaches([demand], policy), runtime.roster_rows)
    decision = match([demand], officers, now, policy)[0]
    if incident is not None:
        await incident_store.set_state(session, [incident.id], incident.state, incident.reason,
                                       excluded=sorted(excluded))
    if not decision.assigned:
        after, event = escalate(a, SlaStage.ACKNOWLEDGE, EscalationReason.NOBODY_TO_REASSIGN, now)
        await assignment_store.save_assignment(session, after, now)
        await emit(session, event, tenant=a.tenant, subject=a.id)
        if incident is not None:
            await queue(session, incident, QueueReason.NOT_ACKNOWLEDGED,
                        f"no officer acknowledged; {decision.reason()}", now, assignment_id=a.id)
        return after
    return await _move(session, a, leaving, decision, profile, code, f"{reason}; {decision.reason()}", now)


async def reassign_manually(runtime: DispatchRuntime, session: AsyncSession, a: Assignment, officer_ids: list[str],
                            reason: str, now: datetime, *, force: bool = False) -> Assignment:
    """The command centre's override: these officers take the order, for the stated reason."""
    await lock_tenant(session, a.tenant)
    chosen = await _officers_of(session, a.tenant, officer_ids)
    if {o.id for o in chosen} == set(a.officer_ids):
        return a  # the same override again: nothing to do
    reason, forced = await _check_fit(runtime, session, a.tenant, a.category, chosen, reason, force)
    picks = tuple(Pick(Need(o.department), o.id, 0.0, 0.0, False, None, None) for o in chosen)
    decision = Decision(a.incident_id, picks)
    # Every member leaves; members are rebuilt from the chosen officers' departments.
    rebuilt = replace(a, members=tuple(rules.Member(o.id, o.department) for o in chosen))
    leaving = set(a.officer_ids) - {o.id for o in chosen}
    after = rules.replace_officers(rebuilt, set(), decision, await _profile(runtime, session, a), now)
    after = replace(after, reason=f"override by the command centre: {reason}")
    return await _store_move(session, a, after, leaving, ReassignReason.FORCED if forced else ReassignReason.OVERRIDE,
                             now)


async def _move(session: AsyncSession, a: Assignment, leaving: set[str], decision: Decision, profile: SlaProfile,
                code: ReassignReason, reason: str, now: datetime) -> Assignment:
    # The words stay on the order, behind dispatch's API; the public event carries the code.
    after = replace(rules.replace_officers(a, leaving, decision, profile, now), reason=reason)
    return await _store_move(session, a, after, leaving, code, now)


async def _store_move(session: AsyncSession, before: Assignment, after: Assignment, leaving: set[str],
                      reason: ReassignReason, now: datetime) -> Assignment:
    arriving = [o for o in after.officer_ids if o not in before.officer_ids]
    await assignment_store.save_assignment(session, after, now)
    await assignment_store.add_deadlines(session, [after])
    if leaving:
        await officer_store.set_status(session, sorted(leaving), OfficerStatus.AVAILABLE)
    if arriving:
        await officer_store.set_status(session, arriving, OfficerStatus.ASSIGNED, assigned_at=now)
    await emit(session, AssignmentReassigned(
        assignment_id=after.id, incident_id=after.incident_id, from_officer_id=min(leaving) if leaving else None,
        to_officer_ids=after.officer_ids, reason="", reason_code=reason, reassigned_at=now,
    ), tenant=after.tenant, subject=after.id)
    await notify_orders(session, [(arriving, after.id)], "created")
    await notify_orders(session, [(sorted(leaving), after.id)], "withdrawn")
    return after


async def assign_manually(runtime: DispatchRuntime, session: AsyncSession, incident_id: UUID, tenant: str | None,
                          officer_ids: list[str], reason: str, now: datetime, *, force: bool = False) -> Assignment:
    """The command centre orders officers to an incident from its queue."""
    incident = await incident_store.get_incident(session, incident_id, for_update=True)
    if incident is None or (tenant is not None and incident.tenant != tenant):
        raise NotFound(f"incident {incident_id} does not exist")
    if incident.state in NO_NEW_ORDERS:
        hint = "; use the assignment's reassign instead" if incident.state == IncidentState.ASSIGNED else ""
        raise Conflict(f"incident {incident_id} is {incident.state}{hint}", state=incident.state)
    await lock_tenant(session, incident.tenant)
    chosen = await _officers_of(session, incident.tenant, officer_ids)
    reason, forced = await _check_fit(runtime, session, incident.tenant, incident.category, chosen, reason, force)
    picks = tuple(Pick(Need(o.department), o.id, 0.0, 0.0, False, None, None) for o in chosen)
    listed = await runtime.tenants.responsibilities(session, incident.tenant)
    profile = (listed.profile_for(incident.category) if listed else None) or STANDARD_1358
    decision = Decision(incident_id, picks)
    a = await order(session, incident, decision, profile, now, team=None,
                    basis=AssignmentBasis.FORCED if forced else AssignmentBasis.COMMAND_CENTRE)
    a = replace(a, reason=f"assigned by the command centre: {reason}")
    await assignment_store.save_assignment(session, a, now)
    return a


async def _officers_of(session: AsyncSession, tenant: str, officer_ids: list[str]) -> list[Officer]:
    if len(set(officer_ids)) != len(officer_ids):
        raise InvalidRequest("officer_ids lists an officer twice", field="officer_ids")
    found = {o.id: o for o in await officer_store.list_officers(session, tenant, ids=officer_ids)}
    missing = [i for i in officer_ids if i not in found]
    if missing:
        raise InvalidRequest(f"no officer {', '.join(missing)} in tenant {tenant}", field="officer_ids")
    off = [i for i in officer_ids if found[i].status is OfficerStatus.OFF_DUTY]
    if off:
        raise InvalidRequest(f"{', '.join(off)} off duty", field="officer_ids")
    return [found[i] for i in officer_ids]


async def _check_fit(runtime: DispatchRuntime, session: AsyncSession, tenant: str, category: str,
                     chosen: list[Officer], reason: str, force: bool) -> tuple[str, bool]:
    """Refuse officers who lack the department or skills the category needs, unless forced (then say so).

    Returns the reason to keep and whether the order was forced past unmet needs.
    """
    listed = await runtime.tenants.responsibilities(session, tenant)
    entry = listed.lookup(category) if listed else None
    unmet = unmet_needs(entry.needs(), chosen) if entry else []
    if not unmet:
        return reason, False
    if not force:
        raise InvalidRequest(f"the named officers do not fit {category}: {'; '.join(unmet)} "
                             "(send force: true with the reason to send them anyway)",
                             field="officer_ids", unmet=unmet)
    return f"{reason} (forced past: {'; '.join(unmet)})", True


async def _profile(runtime: DispatchRuntime, session: AsyncSession, a: Assignment) -> SlaProfile:
    listed = await runtime.tenants.responsibilities(session, a.tenant)
    if listed is not None and a.sla_profile in listed.profiles:
        return listed.profiles[a.sla_profile]
    return STANDARD_1358


async def _entry_skills(runtime: DispatchRuntime, session: AsyncSession, a: Assignment) -> dict[str, frozenset[str]]:
    listed = await runtime.tenants.responsibilities(session, a.tenant)
    entry = listed.lookup(a.category) if listed else None
    return {need.department: need.skills for need in entry.needs()} if entry else {}
