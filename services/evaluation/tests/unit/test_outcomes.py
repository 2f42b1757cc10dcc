"""Front-line resolution, on-time closure, satisfaction, repeats, merges, cases and mediation, hand-counted."""

from datetime import timedelta
from uuid import uuid4

from oneteam_evaluation.domain.facts import Case, Facts, Incident, Mediation, Rating
from oneteam_evaluation.domain.figures import Period, figures
from oneteam_evaluation.domain.kpis import KPIS
from oneteam_evaluation.domain.rules import Rules

from .factories import NOW, RULES, T0, ZONE, at, incident, order


def shares(kpi: str, facts: Facts, dimension: str = "tenant", rules: Rules = RULES) -> dict[str, tuple[int, int]]:
    found = figures(KPIS[kpi].compute(facts, rules, NOW), Period.ALL, dimension, ZONE)
    return {f.key: (f.numerator, f.denominator) for f in found}


def of(*incidents: Incident, **more: object) -> Facts:
    return Facts(incidents={i.incident_id: i for i in incidents}, **more)  # type: ignore[arg-type]


def closed(minutes: float, resolution: str, **changes: object) -> Incident:
    return incident(first_closed_at=at(minutes), resolution=resolution, **changes)


def test_front_line_resolution_counts_on_site_and_on_site_mediation_over_disputes_handled_here() -> None:
    facts = of(closed(30, "resolved_on_site"), closed(30, "resolved_on_site"), closed(30, "case_opened"),
               closed(30, "sent_to_mediation", mediation_outcome="resolved_on_site"),
               closed(30, "sent_to_mediation", mediation_outcome="resolved"),
               closed(30, "false_report"), closed(30, "duplicate"), closed(30, "transferred"), incident())

    assert shares("front_line_resolution", facts) == {"330106004": (3, 5)}


def test_on_time_closure_judges_the_first_closure_against_the_sla_and_overdue_open_incidents_as_late() -> None:
    on_time = closed(23 * 60, "resolved_on_site", reopen_count=1)  # reopened later: its first closure counts
    late = closed(25 * 60, "resolved_on_site")
    open_overdue = incident()
    open_in_time = incident(reported_at=NOW - timedelta(hours=1))
    merged_away = closed(10, "duplicate")

    facts = of(on_time, late, open_overdue, open_in_time, merged_away)

    assert shares("on_time_closure", facts) == {"330106004": (1, 3)}


def test_a_category_can_have_its_own_closure_sla() -> None:
    noisy = closed(5 * 60, "resolved_on_site", category="noise")
    rules = Rules(tenant="330106004", closure_sla_by_category={"noise": 4})

    assert shares("on_time_closure", of(noisy), rules=rules) == {"330106004": (0, 1)}


def test_cases_are_on_time_as_the_case_service_closed_them_unless_a_deadline_was_missed() -> None:
    cases = [Case(uuid4(), closed_at=at(1), on_time=True), Case(uuid4(), closed_at=at(1), on_time=False),
             Case(uuid4(), closed_at=at(1), on_time=True, deadline_missed=True), Case(uuid4(), decided_at=at(1))]

    assert shares("case_on_time_closure", Facts(cases=cases)) == {"330106004": (1, 3)}


def test_satisfaction_is_satisfied_plus_basically_satisfied_over_rated() -> None:
    one = closed(30, "resolved_on_site", report_count=3)
    ratings = [Rating(uuid4(), one.incident_id, r, at(60), "street_vending", "hotline_12345")
               for r in ("satisfied", "satisfied", "basically_satisfied", "dissatisfied")]

    facts = of(one, ratings=ratings)

    assert shares("satisfaction", facts) == {"330106004": (3, 4)}
    assert shares("satisfaction", facts, "source") == {"hotline_12345": (3, 4)}


def test_a_rating_counts_for_the_officers_and_team_who_handled_the_incident() -> None:
    one = closed(30, "resolved_on_site")
    facts = of(one, orders=[order(one.incident_id, officers=("o-1", "o-2"))],
               ratings=[Rating(uuid4(), one.incident_id, "dissatisfied", at(60))])

    assert shares("satisfaction", facts, "officer") == {"o-1": (0, 1), "o-2": (0, 1)}
    assert shares("satisfaction", facts, "team") == {"T1": (0, 1)}


def test_the_response_rate_is_rated_reports_over_reports_on_closed_incidents() -> None:
    rated = closed(30, "resolved_on_site", report_count=2)
    unrated = closed(30, "resolved_on_site")
    rating = Rating(uuid4(), rated.incident_id, "satisfied", at(60))

    assert shares("response_rate", of(rated, unrated, ratings=[rating])) == {"330106004": (1, 3)}


def test_a_second_incident_of_a_grid_and_category_within_seven_days_is_a_repeat() -> None:
    first = incident()
    again = incident(reported_at=T0 + timedelta(days=6))
    elsewhere = incident(reported_at=T0 + timedelta(days=1), grid="G2")
    other_kind = incident(reported_at=T0 + timedelta(days=1), category="noise")
    much_later = incident(reported_at=T0 + timedelta(days=20))

    found = {s.ref: s.hit for s in KPIS["repeat_incidents"].compute(
        of(first, again, elsewhere, other_kind, much_later), RULES, NOW)}

    assert [k for k, hit in found.items() if hit] == [again.incident_id]


def test_merged_reports_are_the_reports_beyond_each_incidents_first() -> None:
    facts = of(incident(report_count=3), incident(), incident(report_count=2, reported_at=None))

    assert shares("merged_reports", facts) == {"330106004": (2, 4)}


def test_no_penalty_decisions_are_counted_by_discretion_rule() -> None:
    outcomes = ["no_penalty_first", "no_penalty_first", "no_penalty_minor", "penalty", "fast_minor_penalty"]
    cases = [Case(uuid4(), category="street_vending", decided_at=at(1), outcome=o) for o in outcomes]

    by_rule = shares("no_penalty", Facts(cases=cases), "rule")

    assert shares("no_penalty", Facts(cases=cases)) == {"330106004": (3, 5)}
    assert by_rule["no_penalty_first"] == (2, 2) and by_rule["penalty"] == (0, 1)


def test_case_figures_break_down_by_the_departments_whose_rules_were_applied() -> None:
    cases = [Case(uuid4(), decided_at=at(1), outcome="no_penalty_first", departments=("market_regulation",)),
             Case(uuid4(), decided_at=at(1), outcome="penalty",
                  departments=("comprehensive_enforcement", "market_regulation"))]

    assert shares("no_penalty", Facts(cases=cases), "department") == {
        "comprehensive_enforcement": (0, 1), "market_regulation": (1, 2)}


def test_mediation_success_leaves_withdrawn_mediations_out() -> None:
    mediations = [Mediation(uuid4(), concluded_at=at(1), outcome=o)
                  for o in ("resolved_on_site", "resolved", "failed", "withdrawn", "referred")]

    assert shares("mediation_success", Facts(mediations=mediations)) == {"330106004": (2, 4)}


def test_days_and_months_are_local_hangzhou_time() -> None:
    late_evening_utc = incident(reported_at=T0.replace(hour=17), report_count=1)  # 01:00 the next day in Hangzhou

    [figure] = figures(KPIS["merged_reports"].compute(of(late_evening_utc), RULES, NOW), Period.DAY, "tenant", ZONE)
    [hour] = figures(KPIS["merged_reports"].compute(of(late_evening_utc), RULES, NOW), Period.HOUR, "tenant", ZONE)
    [week] = figures(KPIS["merged_reports"].compute(of(late_evening_utc), RULES, NOW), Period.WEEK, "tenant", ZONE)

    assert (figure.period, hour.period, week.period) == ("2026-11-26", "2026-11-26T01", "2026-W48")
