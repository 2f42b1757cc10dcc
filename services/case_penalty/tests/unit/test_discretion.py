"""The no-penalty rules, the tiers and one fine per act (Art. 29), each with its explanation."""

from datetime import timedelta

import pytest

from oneteam_case_penalty.domain import facts as F
from oneteam_case_penalty.domain.discretion import recommend
from oneteam_case_penalty.domain.facts import PriorViolation
from oneteam_contracts import DiscretionDecision

from .factories import NOW, item

VENDING = item("street_vending_unapproved")


def prior(code: str = "street_vending_unapproved", category: str = "street_vending", days_ago: int = 100,
          department: str = "market_regulation") -> PriorViolation:
    return PriorViolation("c-1", code, category, department, NOW - timedelta(days=days_ago))


def test_minor_corrected_harmless_act_is_not_penalised_under_art_33() -> None:
    rec = recommend([VENDING], {F.MINOR, F.CORRECTED, F.NO_HARM}, {}, [prior()], NOW)
    assert rec.outcome is DiscretionDecision.NO_PENALTY_MINOR and rec.fine_fen == 0
    minor = next(c for c in rec.checks if c.rule == "minor")
    assert minor.applies and "第三十三条第一款" in minor.article and not minor.failed


@pytest.mark.parametrize("missing", [F.MINOR, F.CORRECTED, F.NO_HARM])
def test_minor_rule_fails_when_one_condition_is_missing_and_says_which(missing: str) -> None:
    facts = {F.MINOR, F.CORRECTED, F.NO_HARM} - {missing}
    rec = recommend([VENDING], facts, {}, [prior()], NOW)
    minor = next(c for c in rec.checks if c.rule == "minor")
    assert not minor.applies and any(missing in f for f in minor.failed)
    assert rec.outcome is not DiscretionDecision.NO_PENALTY_MINOR


def test_first_violation_with_slight_harm_corrected_is_exempted() -> None:
    rec = recommend([VENDING], {F.SLIGHT_HARM, F.CORRECTED}, {}, [], NOW)
    assert rec.outcome is DiscretionDecision.NO_PENALTY_FIRST


def test_first_violation_counts_another_departments_earlier_finding() -> None:
    # The earlier case was market regulation's; a unified team sees it, so this is not a first.
    rec = recommend([VENDING], {F.SLIGHT_HARM, F.CORRECTED}, {}, [prior(department="market_regulation")], NOW)
    first = next(c for c in rec.checks if c.rule == "first")
    assert not first.applies and any("首次违法" in f for f in first.failed)
    assert rec.outcome is DiscretionDecision.PENALTY


def test_a_violation_older_than_the_window_does_not_spoil_first() -> None:
    rec = recommend([VENDING], {F.SLIGHT_HARM, F.CORRECTED}, {}, [prior(days_ago=400)], NOW)
    assert rec.outcome is DiscretionDecision.NO_PENALTY_FIRST


def test_no_fault_proven_means_no_penalty_under_art_33_para_2() -> None:
    rec = recommend([item("food_unlicensed")], {F.NO_FAULT}, {}, [], NOW)
    assert rec.outcome is DiscretionDecision.NO_PENALTY_NO_FAULT


def test_mediated_agreement_kept_is_not_penalised_when_the_act_is_listed() -> None:
    shop = item("shop_encroachment")
    rec = recommend([shop], {F.MEDIATED}, {}, [prior("shop_encroachment", "shop_encroachment")], NOW)
    assert rec.outcome is DiscretionDecision.NO_PENALTY_MEDIATED


def test_mediation_does_not_exempt_an_act_off_the_mediated_list() -> None:
    rec = recommend([item("fire_exit_blocked_unit")], {F.MEDIATED}, {}, [prior("x", "fire_hazard")], NOW)
    mediated = next(c for c in rec.checks if c.rule == "mediated")
    assert not mediated.applies and any("not on the mediated list" in f for f in mediated.failed)


def test_tiers_move_the_fine_up_with_the_facts() -> None:
    history = [prior()]
    light = recommend([VENDING], set(), {}, history, NOW)
    repeated = recommend([VENDING], {"repeated"}, {}, history, NOW)
    serious = recommend([VENDING], {"obstructs_traffic"}, {}, history, NOW)
    assert (light.parts[0].tier, repeated.parts[0].tier, serious.parts[0].tier) == ("light", "repeated", "serious")
    assert light.fine_fen == 50_00 < repeated.fine_fen == 200_00 < serious.fine_fen == 1_000_00


def test_a_percentage_fine_follows_the_construction_cost() -> None:
    rec = recommend([item("unlicensed_construction")], set(), {"construction_cost_yuan": 200_000}, [], NOW)
    # 5-10 % of 200 000 yuan, general tier from 40 % of the 10 000-20 000 range: 14 000 yuan; a major decision.
    assert rec.fine_fen == 14_000_00 and rec.major and rec.hearing_right


def test_one_act_breaking_several_rules_gets_the_highest_fine_and_every_measure() -> None:
    fire, licence = item("fire_exit_blocked_unit"), item("food_unlicensed")
    rec = recommend([fire, licence], set(), {}, [prior("x", "fire_hazard"), prior("y", "food_safety")], NOW)
    assert rec.fine_item == "food_unlicensed" and rec.fine_fen == 50_000_00
    assert {p.department for p in rec.parts} == {"fire_rescue", "market_regulation"}
    assert set(rec.measures) == {"order_to_correct", "confiscate_illegal_gains", "confiscate_goods"}


def test_public_benefit_service_reduces_the_fine() -> None:
    rec = recommend([VENDING], {"repeated", F.PUBLIC_BENEFIT}, {}, [prior()], NOW)
    assert rec.outcome is DiscretionDecision.REDUCED_PUBLIC_BENEFIT and rec.fine_fen == 100_00


def test_admitted_minor_act_on_the_fast_track_list_gets_a_fast_penalty() -> None:
    rec = recommend([item("ebike_parking_disorder")], {F.MINOR, F.ADMITTED}, {}, [prior("x", "e_bike_parking")], NOW)
    assert rec.outcome is DiscretionDecision.FAST_MINOR_PENALTY and rec.fine_fen == 5_00
