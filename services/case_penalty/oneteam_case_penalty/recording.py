"""What every step of a case does besides its rule: save, keep deadlines in step, append to the
trail, and compute the recommendation from the catalogue and the party's history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_case_penalty.domain import facts as F
from oneteam_case_penalty.domain.cases import WARN_BEFORE, Case
from oneteam_case_penalty.domain.catalogue import Item
from oneteam_case_penalty.domain.discretion import Recommendation, recommend
from oneteam_case_penalty.runtime import CaseRuntime
from oneteam_case_penalty.store import cases as case_store
from oneteam_case_penalty.store import trail as trail_store
from oneteam_deadlines.scheduler import cancel, schedule
from oneteam_servicekit import InvalidRequest


async def record(session: AsyncSession, case: Case, action: str, actor: str, now: datetime,
                 detail: dict[str, Any] | None = None, *, new: bool = False) -> bool:
    """Persist `case` after `action`; False when a new case's hand-off already made one."""
    if new:
        if not await case_store.add_case(session, case, now):
            return False
    else:
        await case_store.save_case(session, case, now)
    await sync_deadlines(session, case, now)
    await trail_store.append(session, case.tenant, str(case.id), action, actor, now,
                             {"state": case.state.value, **(detail or {})})
    return True


async def sync_deadlines(session: AsyncSession, case: Case, now: datetime) -> None:
    """Make the scheduled rows match the case's open obligations (a fired row is never set again)."""
    subject = str(case.id)
    await cancel(session, subject=subject)
    for kind, due in case.deadlines.items():
        await schedule(session, subject=subject, kind=kind.value, due_at=due, tenant=case.tenant)
        warn = due - WARN_BEFORE[kind]
        if warn > now:
            await schedule(session, subject=subject, kind=f"{kind.value}.warning", due_at=warn, tenant=case.tenant)


def items_of(runtime: CaseRuntime, case: Case) -> list[Item]:
    """The catalogue items the case says were breached."""
    catalogue = runtime.tenant(case.tenant).catalogue
    found = [catalogue.item(code) for code in case.item_codes]
    return [i for i in found if i is not None]


def pick_items(runtime: CaseRuntime, tenant: str, category: str, codes: list[str] | None,
               department: str | None = None) -> list[Item]:
    """Items named by code (each must exist), or the category's (of `department`, when given)."""
    catalogue = runtime.tenant(tenant).catalogue
    if codes:
        unknown = [c for c in codes if catalogue.item(c) is None]
        if unknown:
            raise InvalidRequest(f"not in the tenant's catalogue: {', '.join(unknown)}", field="item_codes")
        return [i for c in codes if (i := catalogue.item(c)) is not None]
    items = catalogue.for_category(category)
    own = [i for i in items if i.department == department]
    return (own or items)[:1]


def check_entered(runtime: CaseRuntime, tenant: str, facts: Iterable[str], act_at: datetime | None = None) -> None:
    """Refuse what an officer typed that no rule could use: unknown facts, an act in the future."""
    unknown = F.unknown(facts, runtime.tenant(tenant).catalogue.fact_codes())
    if unknown:
        raise InvalidRequest(f"facts no rule of the catalogue reads: {', '.join(unknown)} "
                             f"({F.FIRST} is found from the party's history, never entered)", field="facts")
    if act_at is not None and act_at > runtime.clock.now():
        raise InvalidRequest("act_at is in the future", field="act_at")


async def recommendation(runtime: CaseRuntime, session: AsyncSession, case: Case,
                         now: datetime) -> Recommendation | None:
    """What the rules recommend now; None while no catalogue item is named."""
    items = items_of(runtime, case)
    if not items:
        return None
    history = (await case_store.prior_violations(session, case.party_ref, case.id)
               if case.party_ref is not None else None)
    return recommend(items, set(case.facts), case.amounts, history, now)
