"""The steps of a mediation after it opened. Routes call these; each loads the mediation
locked, applies one domain rule, records and emits."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import (
    MediationAgreementBroken,
    MediationAgreementKept,
    MediationFailure,
    MediationSessionCancelled,
    MediationSessionHeld,
    MediationSessionScheduled,
    ReferralTarget,
    SessionOutcome,
)
from oneteam_mediation import recording
from oneteam_mediation.domain import agreements as A
from oneteam_mediation.domain import mediations as M
from oneteam_mediation.domain.parties import Consent
from oneteam_mediation.domain.proposal import Candidate, propose
from oneteam_mediation.domain.scheduling import Resource, SessionRequest, bookings_for
from oneteam_mediation.events import emit
from oneteam_mediation.opening import PartyIn, keep_contacts, make_parties
from oneteam_mediation.runtime import MediationRuntime
from oneteam_mediation.store import bookings as booking_store
from oneteam_mediation.store import mediations as store
from oneteam_servicekit import InvalidRequest, NotFound

Visible = Callable[[M.Mediation], bool]


async def load(session: AsyncSession, mediation_id: UUID, visible: Visible, *, lock: bool = True) -> M.Mediation:
    """The mediation, locked for this transaction, if the caller may see it (404 otherwise: no probing)."""
    m = await store.get(session, mediation_id, for_update=lock)
    if m is None or not visible(m):
        raise NotFound(f"mediation {mediation_id} does not exist")
    return m


async def _record(runtime: MediationRuntime, session: AsyncSession, m: M.Mediation, after: M.Mediation
                  ) -> M.Mediation:
    await recording.record(runtime, session, m, after, runtime.clock.now())
    return after


async def add_parties(runtime: MediationRuntime, session: AsyncSession, m: M.Mediation,
                      given: Sequence[PartyIn]) -> M.Mediation:
    """Name more parties (a hand-off from dispatch arrives with none)."""
    parties = make_parties(runtime, given, len(m.parties) + 1)
    after = await _record(runtime, session, m, M.add_parties(m, parties))
    await keep_contacts(session, m.id, parties, given)
    return after


async def consent(runtime: MediationRuntime, session: AsyncSession, m: M.Mediation, party_id: str,
                  given: Consent) -> M.Mediation:
    """A party's consent or refusal; a refusal hands the matter to a penalty case."""
    return await _record(runtime, session, m, M.record_consent(m, party_id, given, runtime.clock.now()))


async def proposal(runtime: MediationRuntime, session: AsyncSession, m: M.Mediation) -> list[Candidate]:
    """The registry's mediators ranked for this dispute, with reasons."""
    registry = runtime.tenant(m.tenant).registry
    return propose(registry, m.skill, m.parties, await store.workload(session, m.tenant))


async def assign(runtime: MediationRuntime, session: AsyncSession, m: M.Mediation, mediator_id: str) -> M.Mediation:
    """Give the dispute a mediator of the registry."""
    mediator = runtime.tenant(m.tenant).registry.mediator(mediator_id)
    if mediator is None:
        raise InvalidRequest(f"no mediator {mediator_id} in the registry", field="mediator_id")
    return await _record(runtime, session, m, M.assign(m, mediator))


async def schedule(runtime: MediationRuntime, session: AsyncSession, m: M.Mediation, starts_at: datetime,
                   ends_at: datetime, room_id: str | None) -> M.Mediation:
    """Book a session for the mediator, the room (none when online) and every party."""
    M.ready_for_session(m)
    assert m.mediator_id is not None
    request = SessionRequest(uuid4(), m.mediator_id, room_id, m.party_keys(), starts_at, ends_at)
    wanted = [(Resource.MEDIATOR, m.mediator_id), *([(Resource.ROOM, room_id)] if room_id else []),
              *[(Resource.PARTY, key) for key in request.party_keys]]
    await booking_store.lock(session, m.tenant)
    existing = await booking_store.overlapping(session, m.tenant, wanted, starts_at, ends_at)
    booked = bookings_for(request, runtime.tenant(m.tenant).registry, existing, runtime.clock.now())
    after = M.add_session(m, M.Session(id=request.session_id, mediator_id=m.mediator_id, room_id=room_id,
                                       starts_at=starts_at, ends_at=ends_at))
    await booking_store.add(session, m.tenant, m.id, booked)
    await _record(runtime, session, m, after)
    await emit(session, MediationSessionScheduled(
        mediation_id=m.id, session_id=request.session_id, mediator_id=m.mediator_id, room_id=room_id,
        online=room_id is None, starts_at=starts_at, ends_at=ends_at), tenant=m.tenant, subject=m.id)
    return after


async def cancel_session(runtime: MediationRuntime, session: AsyncSession, m: M.Mediation,
                         session_id: UUID) -> M.Mediation:
    """Call a session off: its bookings are freed and its reminders dropped."""
    after = await _record(runtime, session, m, M.cancel_session(m, session_id))
    await booking_store.release_session(session, session_id)
    await emit(session, MediationSessionCancelled(mediation_id=m.id, session_id=session_id,
                                                  cancelled_at=runtime.clock.now()), tenant=m.tenant, subject=m.id)
    return after


async def hold(runtime: MediationRuntime, session: AsyncSession, m: M.Mediation, session_id: UUID,
               attended: Sequence[str], outcome: SessionOutcome, statements: Mapping[str, str],
               notes: str | None) -> M.Mediation:
    """A session's record: attendance, statements, outcome; the notes stay internal."""
    after = await _record(runtime, session, m, M.hold_session(m, session_id, attended, outcome, statements, notes))
    await emit(session, MediationSessionHeld(mediation_id=m.id, session_id=session_id, attended=len(attended),
                                             outcome=outcome, held_at=runtime.clock.now()),
               tenant=m.tenant, subject=m.id)
    return after


async def follow_up(runtime: MediationRuntime, session: AsyncSession, m: M.Mediation, visit: A.FollowUp,
                    target: ReferralTarget) -> M.Mediation:
    """A follow-up visit (回访); kept → resolved (with 调解不罚 grounds where listed), broken → referral."""
    now = runtime.clock.now()
    after = M.follow_up(m, visit, runtime.tenant(m.tenant).registry, now, target)
    # What the visit found goes out before the conclusion it leads to.
    if after.agreement is not None and after.agreement.broken:
        await emit(session, MediationAgreementBroken(mediation_id=m.id, broken_obligations=len(after.agreement.broken),
                                                     found_at=now), tenant=m.tenant, subject=m.id)
    elif after.state is M.State.CONCLUDED:
        await emit(session, MediationAgreementKept(mediation_id=m.id, incident_id=m.incident_id, category=m.category,
                                                   no_penalty_grounds=after.no_penalty_grounds, kept_at=now),
                   tenant=m.tenant, subject=m.id)
    await _record(runtime, session, m, after)
    return after


async def refer(runtime: MediationRuntime, session: AsyncSession, m: M.Mediation, target: ReferralTarget | None,
                reason: str | None) -> M.Mediation:
    """No agreement: refer to a penalty case, the court or another body (none: it simply failed)."""
    return await _record(runtime, session, m, M.refer(m, target, MediationFailure.NO_AGREEMENT, reason,
                                                      runtime.clock.now()))


async def withdraw(runtime: MediationRuntime, session: AsyncSession, m: M.Mediation) -> M.Mediation:
    """The parties withdrew."""
    return await _record(runtime, session, m, M.withdraw(m, runtime.clock.now()))


async def confirmation_applied(runtime: MediationRuntime, session: AsyncSession, m: M.Mediation,
                               applied_at: datetime) -> M.Mediation:
    """The parties applied to the court for judicial confirmation (司法确认)."""
    if m.agreement is None:
        raise InvalidRequest("no agreement to confirm", field="applied_at")
    agreement = A.apply_for_confirmation(m.agreement, applied_at, runtime.clock.now())
    return await _record(runtime, session, m, m.model_copy(update={"agreement": agreement}))
