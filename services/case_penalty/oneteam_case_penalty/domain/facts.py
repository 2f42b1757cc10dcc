"""The facts an officer establishes about an act, by code, and the party's history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

# Facts the no-penalty rules read; tiers may use any other code the catalogue defines.
MINOR = "minor"  # 违法行为轻微
CORRECTED = "corrected"  # 及时改正
NO_HARM = "no_harm"  # 没有造成危害后果
SLIGHT_HARM = "slight_harm"  # 危害后果轻微
NO_FAULT = "no_fault_proven"  # 有证据足以证明没有主观过错
MEDIATED = "mediated_agreement_kept"  # 调解达成协议并履行
PUBLIC_BENEFIT = "public_benefit_done"  # 参加公益服务
ADMITTED = "admitted"  # 当事人认可违法事实 (fast track)
FIRST = "first_violation"  # derived from history, never asserted by hand

LABELS = {
    MINOR: "违法行为轻微 (minor)",
    CORRECTED: "及时改正 (corrected in time)",
    NO_HARM: "没有造成危害后果 (no harmful consequence)",
    SLIGHT_HARM: "危害后果轻微 (slight harm)",
    NO_FAULT: "足以证明没有主观过错 (no fault proven)",
    MEDIATED: "调解协议已履行 (mediated agreement kept)",
    PUBLIC_BENEFIT: "已参加公益服务 (public-benefit service done)",
    ADMITTED: "当事人认可违法事实 (party admits the facts)",
    FIRST: "首次违法 (first violation, all departments)",
}


def unknown(facts: Iterable[str], catalogue_facts: set[str]) -> list[str]:
    """Facts an officer may not assert: codes no rule reads (a typo would silently change nothing),
    and the first violation, which only the party's history across departments establishes."""
    known = (LABELS.keys() - {FIRST}) | catalogue_facts
    return sorted({f for f in facts if f not in known})


def label(fact: str) -> str:
    """A fact as an explanation shows it: its code and what it means."""
    return f"{fact}: {LABELS[fact]}" if fact in LABELS else fact


@dataclass(frozen=True)
class PriorViolation:
    """A violation found against the same party in an earlier case, by any department."""

    case_id: str
    item_code: str
    category: str
    department: str
    found_at: datetime


def prior_within(history: list[PriorViolation], item_code: str, category: str, years: int,
                 now: datetime) -> list[PriorViolation]:
    """Earlier violations of the same act or category within `years`, whichever department found them.

    Checking every department is what a unified team makes possible: before the reform each
    department saw only its own files, and a "first" violation was first only to it.
    """
    since = now - timedelta(days=365 * years)
    return [p for p in history
            if p.found_at >= since and (p.item_code == item_code or p.category == category)]
