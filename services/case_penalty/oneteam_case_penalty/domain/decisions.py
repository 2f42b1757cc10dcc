"""What a decision must satisfy: the reason for departing from the recommendation, education
for a no-penalty decision, the one-fine ceiling, the summary-procedure limits, late surcharge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from oneteam_case_penalty.domain.catalogue import Item
from oneteam_case_penalty.domain.discretion import Recommendation
from oneteam_contracts import DiscretionDecision, Procedure
from oneteam_servicekit.errors import InvalidRequest

NO_PENALTY = frozenset({DiscretionDecision.NO_PENALTY_MINOR, DiscretionDecision.NO_PENALTY_FIRST,
                        DiscretionDecision.NO_PENALTY_MEDIATED, DiscretionDecision.NO_PENALTY_NO_FAULT})
# Art. 51: on the spot, a warning or at most 200 yuan (person) / 3 000 yuan (organisation).
SUMMARY_LIMIT_FEN = {"person": 200_00, "organisation": 3_000_00}
SURCHARGE_PER_DAY_PERCENT = 3  # Art. 72 ¶1 (一): 每日按罚款数额的百分之三加处罚款


class PartyKind(StrEnum):
    """A natural person or an organisation (a company, a shop with a business licence)."""

    PERSON = "person"
    ORGANISATION = "organisation"


@dataclass(frozen=True)
class Decision:
    """What the decider chose."""

    outcome: DiscretionDecision
    fine_fen: int
    warning: bool
    reason: str | None = None  # why it departs from the recommendation
    education: str | None = None  # the education given (Art. 33 ¶3), for a no-penalty decision


def check_decision(decision: Decision, rec: Recommendation, items: list[Item], amounts: dict[str, int],
                   procedure: Procedure, party: PartyKind) -> bool:
    """Refuse a decision the law does not allow; return whether it follows the recommendation."""
    followed = decision.outcome == rec.outcome and decision.fine_fen == rec.fine_fen
    if not followed and not (decision.reason or "").strip():
        raise InvalidRequest(
            f"the decision departs from the recommendation ({rec.outcome.value}, {rec.fine_fen / 100:.0f} yuan); "
            "give the reason", field="reason")
    if decision.fine_fen < 0 or decision.fine_fen % 100:
        raise InvalidRequest("a fine is a whole number of yuan", field="fine_fen")
    if decision.outcome in NO_PENALTY:
        if decision.fine_fen or decision.warning:
            raise InvalidRequest("a no-penalty decision imposes neither fine nor warning", field="fine_fen")
        if not (decision.education or "").strip():
            raise InvalidRequest("a no-penalty decision records the education given (Art. 33 ¶3)",
                                 field="education")
    elif decision.fine_fen == 0 and not decision.warning:
        raise InvalidRequest("a penalty is a fine or a warning", field="fine_fen")
    ceiling = max((r[1] for i in items if (r := i.fine.range_fen(amounts)) is not None), default=0)
    if decision.fine_fen > ceiling:
        # Art. 29: one fine for one act, never above the highest applicable rule's maximum.
        raise InvalidRequest(f"the fine exceeds the highest applicable maximum ({ceiling // 100} yuan, Art. 29)",
                             field="fine_fen")
    if procedure is Procedure.SUMMARY:
        check_summary(decision.fine_fen, party)
    return followed


def check_summary(fine_fen: int, party: PartyKind) -> None:
    """Art. 51: the summary procedure allows a warning or a small fine only."""
    limit = SUMMARY_LIMIT_FEN[party.value]
    if fine_fen > limit:
        raise InvalidRequest(f"the summary procedure allows at most {limit // 100} yuan for a {party.value} "
                             "(Art. 51); use the general procedure", field="fine_fen")


def late_surcharge_fen(fine_fen: int, due: date, paid_on: date) -> int:
    """Art. 72: 3 % of the fine for each day after the due date, never more than the fine."""
    days = max(0, (paid_on - due).days)
    return min(fine_fen, fine_fen * SURCHARGE_PER_DAY_PERCENT * days // 100)
