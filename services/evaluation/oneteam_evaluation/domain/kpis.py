"""Every KPI by name: what the API, the scorecards and the explanation endpoint compute."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from oneteam_evaluation.domain import outcomes, response
from oneteam_evaluation.domain.facts import Facts
from oneteam_evaluation.domain.figures import Sample
from oneteam_evaluation.domain.rules import Rules

Compute = Callable[[Facts, Rules, datetime], list[Sample]]


@dataclass(frozen=True)
class Kpi:
    """A named figure: what its numerator counts, over what, and the target it is held to."""

    name: str
    title: str
    counts: str  # what one sample is
    target: float | None
    compute: Compute
    # The facts it reads besides incidents and orders: a query loads only these.
    reads: frozenset[str] = frozenset()
    # Whether it reads incidents reported before the window (a repeat looks back N days).
    looks_back: bool = False


def _timeless(step: Callable[[Facts, Rules], list[Sample]]) -> Compute:
    def compute(facts: Facts, rules: Rules, now: datetime) -> list[Sample]:
        return step(facts, rules)
    return compute


def _stage(stage: str) -> Compute:
    def compute(facts: Facts, rules: Rules, now: datetime) -> list[Sample]:
        return response.stage_samples(facts, rules, stage, now)
    return compute


MEMBERS, RATINGS, CASES, MEDIATIONS = (frozenset({part}) for part in ("members", "ratings", "cases", "mediations"))

# Targets are the seed's figures where it gives one (Cuiyuan 100 % on-time closure and 99.5 %
# satisfaction; Hezhuang ≥ 80 % front-line resolution); 1-3-5-8 is a promise, so 100 %.
KPIS: dict[str, Kpi] = {k.name: k for k in (
    Kpi("acknowledged", "1-3-5-8: acknowledged within 1 minute", "order", 1.0, _stage("acknowledge"), MEMBERS),
    Kpi("coordinated", "1-3-5-8: coordinated within 3 minutes", "order", 1.0, _stage("coordinate"), MEMBERS),
    Kpi("arrived", "1-3-5-8: arrived within 5 minutes", "order", 1.0, _stage("arrive"), MEMBERS),
    Kpi("reported", "1-3-5-8: reported within 8 minutes", "order", 1.0, _stage("report"), MEMBERS),
    Kpi("rapid_response", "20-minute response to enforcement-type disputes", "order", 1.0,
        response.rapid_samples, MEMBERS),
    Kpi("queue_time", "Unassigned incidents ordered (with the time they waited)", "incident", None,
        response.queue_samples),
    Kpi("front_line_resolution", "Disputes resolved at the front line (一线解决率)", "incident", 0.8,
        _timeless(outcomes.front_line_samples)),
    Kpi("on_time_closure", "Incidents closed within their SLA (按期办结率)", "incident", 1.0,
        outcomes.on_time_closure_samples),
    Kpi("case_on_time_closure", "Cases closed within their legal deadlines (按期办结率)", "case", 1.0,
        _timeless(outcomes.case_on_time_samples), CASES),
    Kpi("satisfaction", "Satisfied or basically satisfied ratings (满意率)", "rating", 0.995,
        _timeless(outcomes.satisfaction_samples), RATINGS),
    Kpi("response_rate", "Reports rated after closure (回访率)", "report", None,
        _timeless(outcomes.response_rate_samples), RATINGS),
    Kpi("repeat_incidents", "Incidents repeating in the same grid and category", "incident", None,
        _timeless(outcomes.repeat_samples), looks_back=True),
    Kpi("merged_reports", "Reports merged into an open incident", "report", None, _timeless(outcomes.merged_samples)),
    Kpi("no_penalty", "No-penalty decisions (break down by rule)", "case", None,
        _timeless(outcomes.no_penalty_samples), CASES),
    Kpi("mediation_success", "Mediations resolved", "mediation", None, _timeless(outcomes.mediation_samples),
        MEDIATIONS),
)}
