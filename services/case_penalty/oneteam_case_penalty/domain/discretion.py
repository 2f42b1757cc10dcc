"""Recommend an outcome from the facts and the party's history, and explain it (裁量说明).

A person decides; this only says which rule fits, which article, and which facts were
satisfied or missing for every rule considered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from oneteam_case_penalty.domain import facts as F
from oneteam_case_penalty.domain.catalogue import Item, NoPenaltyRule, Tier
from oneteam_case_penalty.domain.facts import PriorViolation, prior_within
from oneteam_contracts import DiscretionDecision


@dataclass(frozen=True)
class Check:
    """One rule's verdict on this case."""

    rule: str
    article: str
    applies: bool
    satisfied: tuple[str, ...]
    failed: tuple[str, ...]


@dataclass(frozen=True)
class Part:
    """One breached item (one department's part of a joint decision)."""

    item_code: str
    department: str
    basis: str
    tier: str
    range_fen: tuple[int, int] | None  # the tier's range; None when an amount it needs is missing
    fine_fen: int
    warning_only: bool
    measures: tuple[str, ...]


@dataclass(frozen=True)
class Recommendation:
    """What the rules suggest, and why."""

    outcome: DiscretionDecision
    fine_fen: int
    fine_item: str | None  # whose fine was taken: the highest (Art. 29)
    parts: tuple[Part, ...]
    measures: tuple[str, ...]
    checks: tuple[Check, ...]
    major: bool  # legal review needed (Art. 58)
    hearing_right: bool  # the party may ask for a hearing (Art. 63)

    @property
    def rule_codes(self) -> list[str]:
        """The breached catalogue items."""
        return [p.item_code for p in self.parts]


# 调解不罚: the mediation clause (Public Security Administration Punishments Law, Art. 9 of the
# 2012 text) as the tenant's local list applies it.
MEDIATED_ARTICLE = "调解不罚 (本地清单)"

# (rule, outcome, article, required facts) — in the order they are tried.
_NO_PENALTY: tuple[tuple[NoPenaltyRule, DiscretionDecision, str, tuple[str, ...]], ...] = (
    (NoPenaltyRule.NO_FAULT, DiscretionDecision.NO_PENALTY_NO_FAULT, "行政处罚法第三十三条第二款", (F.NO_FAULT,)),
    (NoPenaltyRule.MINOR, DiscretionDecision.NO_PENALTY_MINOR, "行政处罚法第三十三条第一款 (轻微不罚)",
     (F.MINOR, F.CORRECTED, F.NO_HARM)),
    (NoPenaltyRule.FIRST, DiscretionDecision.NO_PENALTY_FIRST, "行政处罚法第三十三条第一款 (首违不罚)",
     (F.FIRST, F.SLIGHT_HARM, F.CORRECTED)),
    (NoPenaltyRule.MEDIATED, DiscretionDecision.NO_PENALTY_MEDIATED, MEDIATED_ARTICLE, (F.MEDIATED,)),
)


def recommend(items: list[Item], facts: set[str], amounts: dict[str, int], history: list[PriorViolation] | None,
              now: datetime) -> Recommendation:
    """The recommended outcome for one act breaching `items`, with every rule's check.

    `history` is None while the party is not identified: a first violation cannot be shown then.
    """
    if not items:
        raise ValueError("a case needs at least one breached item")
    facts = set(facts) - {F.FIRST}
    if history is not None and all(not prior_within(history, i.code, i.category, i.first_window_years, now)
                                   for i in items):
        facts.add(F.FIRST)
    parts = tuple(_part(item, facts, amounts) for item in items)
    measures = tuple(sorted({m for item in items for m in item.measures}))
    checks = [_check(rule, article, required, items, facts) for rule, _, article, required in _NO_PENALTY]
    # Art. 29: one act, one fine — the highest of the breached rules; the others' non-fine
    # measures are combined into the same decision.
    top = max(parts, key=lambda p: (p.fine_fen, p.range_fen[1] if p.range_fen else 0))
    fine_item = top.item_code
    major = any(top.fine_fen >= i.major_fine_yuan * 100 for i in items if i.code == fine_item)
    hearing = any(top.fine_fen >= i.hearing_fine_yuan * 100 for i in items if i.code == fine_item)
    for (_, outcome, _, _), check in zip(_NO_PENALTY, checks, strict=True):
        if check.applies:
            return Recommendation(outcome, 0, None, parts, measures, (*checks,), False, False)
    benefit = _check(NoPenaltyRule.PUBLIC_BENEFIT, "公益减罚 (本地清单)", (F.PUBLIC_BENEFIT,), items, facts)
    fast = _check(NoPenaltyRule.FAST_TRACK, "轻微速罚 (行政处罚法第五十一条简易程序)", (F.MINOR, F.ADMITTED),
                  items, facts)
    all_checks = (*checks, benefit, fast)
    if benefit.applies:
        kept = min(i.public_benefit_percent for i in items)
        return Recommendation(DiscretionDecision.REDUCED_PUBLIC_BENEFIT, top.fine_fen * kept // 100, fine_item,
                              parts, measures, all_checks, major, hearing)
    if fast.applies:
        return Recommendation(DiscretionDecision.FAST_MINOR_PENALTY, top.fine_fen, fine_item, parts, measures,
                              all_checks, False, False)
    return Recommendation(DiscretionDecision.PENALTY, top.fine_fen, fine_item, parts, measures, all_checks,
                          major, hearing)


def tier_for(item: Item, facts: set[str]) -> Tier:
    """The first tier whose facts all hold; the default tier otherwise."""
    for tier in item.tiers:
        if tier.when and set(tier.when) <= facts and not set(tier.unless) & facts:
            return tier
    return next(t for t in item.tiers if not t.when)


def _part(item: Item, facts: set[str], amounts: dict[str, int]) -> Part:
    tier = tier_for(item, facts)
    full = item.fine.range_fen(amounts)
    basis = f"{(item.penalty_basis or item.basis).law} {(item.penalty_basis or item.basis).article}"
    if full is None or tier.warning_only:
        return Part(item.code, item.department, basis, tier.code, None if full is None else (0, 0), 0,
                    tier.warning_only, tuple(item.measures))
    low, high = full
    span = high - low
    tier_range = (low + round(span * tier.low_percent / 100), low + round(span * tier.high_percent / 100))
    fine = tier_range[0] // 100 * 100  # whole yuan: a decision names yuan
    return Part(item.code, item.department, basis, tier.code, tier_range, fine, False, tuple(item.measures))


def _check(rule: NoPenaltyRule, article: str, required: tuple[str, ...], items: list[Item],
           facts: set[str]) -> Check:
    listed = [i.code for i in items if rule in i.lists]
    satisfied = [F.label(f) for f in required if f in facts]
    failed = [F.label(f) for f in required if f not in facts]
    unlisted = [i.code for i in items if rule not in i.lists]
    if unlisted:
        failed.append(f"not on the {rule.value} list: {', '.join(unlisted)}")
    elif listed:
        satisfied.append(f"on the {rule.value} list: {', '.join(listed)}")
    return Check(f"{rule.value}", article, not failed, tuple(satisfied), tuple(failed))
