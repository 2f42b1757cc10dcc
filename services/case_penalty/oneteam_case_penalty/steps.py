"""The steps of a case after it opened, and what a deadline does when it fires. Routes and the
scheduler call these; each loads the case locked, applies one domain rule, records and emits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_case_penalty import recording
from oneteam_case_penalty.domain import cases as C
from oneteam_case_penalty.domain.cases import Case
from oneteam_case_penalty.domain.decisions import Decision, check_decision, late_surcharge_fen
from oneteam_case_penalty.events import emit
from oneteam_case_penalty.opening import decided_from, finish_decision
from oneteam_case_penalty.runtime import CaseRuntime
from oneteam_case_penalty.store import cases as case_store
from oneteam_case_penalty.store import trail as trail_store
from oneteam_contracts import (
    CaseClosed,
    CaseDeadlineMissed,
    CaseDeadlineWarning,
    CaseFiled,
    CaseTransferred,
    DeadlineKind,
    TransferTarget,
)
from oneteam_deadlines.calendar import CHINA
from oneteam_deadlines.scheduler import Due
from oneteam_servicekit import InvalidRequest, NotFound

Visible = Callable[[Case], bool]


async def load(session: AsyncSession, case_id: UUID, visible: Visible) -> Case:
    """The case, locked for this transaction, if the caller may see it (404 otherwise: no probing)."""
    case = await case_store.get_case(session, case_id, for_update=True)
    if case is None or not visible(case):
        raise NotFound(f"case {case_id} does not exist")
    return case


async def change(runtime: CaseRuntime, session: AsyncSession, case: Case, after: Case, action: str, actor: str,
                 detail: dict[str, object] | None = None) -> Case:
    """Record a plain step (no event of its own)."""
    await recording.record(session, after, action, actor, runtime.clock.now(), detail)
    return after


async def file(runtime: CaseRuntime, session: AsyncSession, case: Case, filed: bool, reason: str,
               actor: str) -> Case:
    """The filing decision; not filing closes the case."""
    now = runtime.clock.now()
    after = C.file(case, filed=filed, reason=reason, now=now)
    await recording.record(session, after, "filed" if filed else "not_filed", actor, now, {"reason": reason})
    await emit(session, CaseFiled(case_id=case.id, filed=filed, filed_at=now,
                                  decision_due=after.deadlines.get(DeadlineKind.DECISION)),
               tenant=case.tenant, subject=case.id)
    if not filed:
        await _closed(session, after, now)
    return after


async def decide(runtime: CaseRuntime, session: AsyncSession, case: Case, decision: Decision, actor: str) -> Case:
    """A decision, checked against the recommendation and the law."""
    now = runtime.clock.now()
    rec = await recording.recommendation(runtime, session, case, now)
    if rec is None:
        raise InvalidRequest("name the breached catalogue item before deciding", field="item_codes")
    followed = check_decision(decision, rec, recording.items_of(runtime, case), case.amounts, case.procedure,
                              case.party_kind)
    decided = decided_from(decision, rec.outcome, rec.fine_fen, list(rec.measures), followed, actor, now)
    after = C.decide(case, decision=decision, decided=decided, major=rec.major, now=now,
                     calendar=runtime.tenant(case.tenant).calendar)
    await finish_decision(runtime, session, after, actor, now)
    return after


async def pay(runtime: CaseRuntime, session: AsyncSession, case: Case, amount_fen: int, receipt: str,
              paid_at: datetime, via: str, actor: str) -> Case:
    """A payment, with the late surcharge of Art. 72 when past the due day."""
    due = case.deadlines.get(DeadlineKind.PAYMENT)
    fine = case.decision.fine_fen if case.decision else 0
    surcharge = late_surcharge_fen(fine, due.astimezone(CHINA).date(), paid_at.astimezone(CHINA).date()) if due else 0
    after = C.pay(case, amount_fen=amount_fen, surcharge_fen=surcharge, paid_at=paid_at, receipt=receipt, via=via)
    return await change(runtime, session, case, after, "paid", actor, dict(after.paid or {}))


async def transfer(runtime: CaseRuntime, session: AsyncSession, case: Case, target: TransferTarget,
                   department: str | None, receipt: str, reason: str, actor: str) -> Case:
    """Case transfer (移送) with its receipt; the case closes here."""
    now = runtime.clock.now()
    after = C.transfer(case, target=target, department=department, receipt=receipt, reason=reason, now=now)
    await recording.record(session, after, "transferred", actor, now, dict(after.transfer or {}))
    await emit(session, CaseTransferred(case_id=case.id, target=target, department=department, transferred_at=now),
               tenant=case.tenant, subject=case.id)
    await _closed(session, after, now)
    return after


async def close(runtime: CaseRuntime, session: AsyncSession, case: Case, actor: str) -> Case:
    """Closing (结案)."""
    now = runtime.clock.now()
    after = C.close(case, now=now)
    await recording.record(session, after, "closed", actor, now)
    await _closed(session, after, now)
    return after


async def _closed(session: AsyncSession, case: Case, now: datetime) -> None:
    await emit(session, CaseClosed(case_id=case.id, outcome=case.decision.outcome if case.decision else None,
                                   on_time=C.on_time(case), closed_at=now), tenant=case.tenant, subject=case.id)


async def on_deadline(session: AsyncSession, due: Due, now: datetime) -> None:
    """A deadline row fired: warn, or mark the case as having missed it — if its step is still undone."""
    name, _, warning = due.kind.partition(".")
    kind = DeadlineKind(name)
    case = await case_store.get_case(session, UUID(due.subject), for_update=True)
    if case is None:
        return
    if warning:
        step_due = case.deadlines.get(kind)
        if step_due is not None and step_due - C.WARN_BEFORE[kind] == due.due_at:
            await emit(session, CaseDeadlineWarning(case_id=case.id, kind=kind, due_at=step_due, warned_at=now),
                       tenant=case.tenant, subject=case.id)
        return
    after = C.missed(case, kind, due.due_at)
    if after is None:
        return
    await case_store.save_case(session, after, now)
    await trail_store.append(session, case.tenant, str(case.id), "deadline_missed", "scheduler", now,
                             {"kind": kind.value, "due_at": due.due_at.isoformat()})
    await emit(session, CaseDeadlineMissed(case_id=case.id, kind=kind, due_at=due.due_at, missed_at=now),
               tenant=case.tenant, subject=case.id)
