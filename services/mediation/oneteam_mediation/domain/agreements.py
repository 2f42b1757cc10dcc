"""The mediation agreement (调解协议书): obligations with due days, a signature per party, the
30-day window for judicial confirmation (司法确认), and follow-up visits (回访) that find each
obligation kept or broken.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from oneteam_deadlines.calendar import WorkingCalendar
from oneteam_servicekit.errors import Conflict, InvalidRequest

# People's Mediation Law Art. 33: the parties may jointly apply to a court for confirmation
# within 30 days of the agreement taking effect (on signature).
CONFIRMATION_DAYS = 30
# Instalments may run for years, but not for ever: a due day further out is a typing error.
MAX_DUE_YEARS = 10


class ObligationKind(StrEnum):
    """What an obligation asks of its party."""

    PAY = "pay"  # pay an amount (赔偿, 欠薪)
    ACT = "act"  # do something (repair, remove, return)
    REFRAIN = "refrain"  # stop doing something (noise, parking)
    APOLOGISE = "apologise"


class Kept(StrEnum):
    """What the follow-up found for an obligation."""

    PENDING = "pending"
    KEPT = "kept"
    BROKEN = "broken"


class Obligation(BaseModel):
    """One term: who owes what by when; the wording stays in the service."""

    model_config = ConfigDict(frozen=True)
    id: str
    party_id: str
    kind: ObligationKind
    terms: str = Field(max_length=2000)
    amount_fen: int | None = Field(default=None, ge=0)
    due: date
    kept: Kept = Kept.PENDING


class Signature(BaseModel):
    """A party's signature record."""

    model_config = ConfigDict(frozen=True)
    party_id: str
    method: str  # handwritten, e_signature, fingerprint
    signed_at: datetime


class FollowUp(BaseModel):
    """One follow-up visit (回访); several departments together are a joint visit (综合访一次)."""

    model_config = ConfigDict(frozen=True)
    at: datetime
    by: str
    results: dict[str, Kept]
    joint: bool = False
    departments: list[str] = Field(default_factory=list)
    note: str | None = None  # internal


class Agreement(BaseModel):
    """The signed agreement."""

    model_config = ConfigDict(frozen=True)
    obligations: list[Obligation]
    signatures: list[Signature]
    signed_at: datetime
    confirmation_due: datetime
    confirmation_applied_at: datetime | None = None

    @property
    def all_kept(self) -> bool:
        """Every obligation found kept (an agreement with none is kept on signature)."""
        return all(o.kept is Kept.KEPT for o in self.obligations)

    @property
    def broken(self) -> list[Obligation]:
        """Obligations found broken."""
        return [o for o in self.obligations if o.kept is Kept.BROKEN]


def sign(obligations: Sequence[Obligation], signatures: Sequence[Signature], party_ids: Sequence[str],
         now: datetime, calendar: WorkingCalendar) -> Agreement:
    """An agreement signed by every party, obligations owed by parties only; the confirmation window set."""
    unknown = sorted({o.party_id for o in obligations} - set(party_ids))
    if unknown:
        raise InvalidRequest(f"obligations name parties not in the dispute: {', '.join(unknown)}", field="obligations")
    if len({o.id for o in obligations}) != len(obligations):
        raise InvalidRequest("obligation ids must be unique", field="obligations")
    # A day's grace before: the signing day where the parties are may be the server's day before.
    today = now.date()
    last = date(min(today.year + MAX_DUE_YEARS, 9999), 12, 31)  # not replace(year=): 29 February
    odd = sorted(o.id for o in obligations if not today - timedelta(days=1) <= o.due <= last)
    if odd:
        raise InvalidRequest(f"obligations fall due from the day of signing to the end of {last.year}; "
                             f"not so: {', '.join(odd)}", field="obligations")
    missing = sorted(set(party_ids) - {s.party_id for s in signatures})
    if missing:
        raise InvalidRequest(f"every party signs the agreement; missing: {', '.join(missing)}", field="signatures")
    # The window counts calendar days; one ending on a day off runs to the next working day.
    return Agreement(obligations=list(obligations), signatures=list(signatures), signed_at=now,
                     confirmation_due=calendar.calendar_days_after(now, CONFIRMATION_DAYS))


def apply_for_confirmation(agreement: Agreement, applied_at: datetime, now: datetime) -> Agreement:
    """The parties applied to the court (司法确认): after signing, not in the future, within the window."""
    if applied_at < agreement.signed_at:
        raise InvalidRequest("applied_at is before the agreement was signed", field="applied_at")
    if applied_at > now:
        raise InvalidRequest("applied_at is in the future", field="applied_at")
    if applied_at > agreement.confirmation_due:
        raise InvalidRequest("the 30-day window for judicial confirmation had closed", field="applied_at")
    return agreement.model_copy(update={"confirmation_applied_at": applied_at})


def follow_up(agreement: Agreement, results: Mapping[str, Kept]) -> Agreement:
    """Record what a visit found; an obligation once found kept or broken stays so."""
    known = {o.id: o for o in agreement.obligations}
    unknown = sorted(set(results) - set(known))
    if unknown:
        raise InvalidRequest(f"no obligation {', '.join(unknown)} in the agreement", field="results")
    settled = sorted(i for i, kept in results.items() if known[i].kept is not Kept.PENDING and kept != known[i].kept)
    if settled:
        raise Conflict(f"obligations already followed up: {', '.join(settled)}")
    updated = [o.model_copy(update={"kept": results.get(o.id, o.kept)}) for o in agreement.obligations]
    return agreement.model_copy(update={"obligations": updated})


def confirmation_status(agreement: Agreement, now: datetime) -> str:
    """Where the judicial confirmation window stands: applied, open or expired."""
    if agreement.confirmation_applied_at is not None:
        return "applied"
    return "open" if now <= agreement.confirmation_due else "expired"
