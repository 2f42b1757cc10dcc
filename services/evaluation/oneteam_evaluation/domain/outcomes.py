"""Outcome KPIs: front-line resolution, on-time closure, satisfaction, repeats, merges, cases, mediation.

Each function turns facts into samples; the README gives each definition in words.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from uuid import UUID

from oneteam_evaluation.domain.facts import Facts, Incident, Order
from oneteam_evaluation.domain.figures import Sample, dims
from oneteam_evaluation.domain.rules import Rules, incident_dims

# Closures that say nothing about how a problem was handled: a false report had no problem, a
# duplicate is counted on the incident it joined, a transfer went to a body we do not measure.
NOT_HANDLED_HERE = frozenset({"false_report", "duplicate", "transferred"})
SATISFIED = frozenset({"satisfied", "basically_satisfied"})
NO_PENALTY = frozenset({"no_penalty_minor", "no_penalty_first", "no_penalty_mediated", "no_penalty_no_fault"})
MEDIATION_RESOLVED = frozenset({"resolved_on_site", "resolved"})


def _orders_by_incident(facts: Facts) -> dict[UUID, list[Order]]:
    found: dict[UUID, list[Order]] = defaultdict(list)
    for order in facts.orders:
        if order.incident_id is not None:
            found[order.incident_id].append(order)
    return found


def _handled(facts: Facts) -> list[tuple[Incident, datetime]]:
    """Closed incidents whose closure says how a problem was handled, with their first closure."""
    return [(i, i.first_closed_at) for i in facts.incidents.values()
            if i.first_closed_at is not None and i.reported_at is not None and i.resolution not in NOT_HANDLED_HERE]


def front_line_samples(facts: Facts, rules: Rules) -> list[Sample]:
    """Resolved on site, or by mediation on site, out of the disputes closed (一线解决率)."""
    orders = _orders_by_incident(facts)
    samples = []
    for incident, closed in _handled(facts):
        hit = incident.resolution == "resolved_on_site" or incident.mediation_outcome == "resolved_on_site"
        samples.append(Sample(incident.incident_id, closed, incident_dims(rules, incident,
                                                                          orders.get(incident.incident_id)), hit=hit))
    return samples


def closure_due(incident: Incident, rules: Rules) -> datetime:
    """When the incident had to be closed: its category's closure SLA, else the tenant's."""
    assert incident.reported_at is not None
    hours = rules.closure_sla_by_category.get(incident.category or "", rules.closure_sla_hours)
    return incident.reported_at + timedelta(hours=hours)


def on_time_closure_samples(facts: Facts, rules: Rules, now: datetime) -> list[Sample]:
    """Incidents closed within their SLA (按期办结率); an open one past its SLA counts as late.

    The first closure is judged: a reopened incident's first closure still counts, as the
    contract says, and a reopening cannot make a late closure on time.
    """
    orders = _orders_by_incident(facts)
    samples = []
    for incident in facts.incidents.values():
        if incident.reported_at is None or incident.resolution == "duplicate":
            continue
        due = closure_due(incident, rules)
        closed = incident.first_closed_at
        if closed is None and now < due:
            continue  # still open and still within its SLA: not yet judged
        at = closed or due
        seconds = (closed - incident.reported_at).total_seconds() if closed else None
        found = incident_dims(rules, incident, orders.get(incident.incident_id))
        samples.append(Sample(incident.incident_id, at, found, hit=closed is not None and closed <= due,
                              seconds=seconds))
    return samples


def case_on_time_samples(facts: Facts, rules: Rules) -> list[Sample]:
    """Cases closed with every legal deadline met, as the case service judged it (extensions included)."""
    return [Sample(case.case_id, case.closed_at,
                   dims(tenant=rules.tenant, category=case.category, department=case.departments),
                   hit=bool(case.on_time) and not case.deadline_missed)
            for case in facts.cases if case.closed_at is not None]


def satisfaction_samples(facts: Facts, rules: Rules) -> list[Sample]:
    """(satisfied + basically satisfied) ÷ rated, as the 12345 hotline counts it (满意率)."""
    orders = _orders_by_incident(facts)
    samples = []
    for rating in facts.ratings:
        incident = facts.incidents.get(rating.incident_id)
        # Attributed to the teams and officers who handled the incident, for their scorecards.
        base = incident_dims(rules, incident, orders.get(rating.incident_id)) if incident else {}
        found = {**base, **dims(tenant=rules.tenant, category=rating.category, source=rating.source)}
        samples.append(Sample(rating.incident_id, rating.received_at, found, hit=rating.rating in SATISFIED))
    return samples


def response_rate_samples(facts: Facts, rules: Rules) -> list[Sample]:
    """Rated reports ÷ reports on the incidents closed (回访率); one sample per report."""
    rated: dict[UUID, int] = defaultdict(int)
    for rating in facts.ratings:
        rated[rating.incident_id] += 1
    orders = _orders_by_incident(facts)
    samples = []
    for incident, closed in _handled(facts):
        found = incident_dims(rules, incident, orders.get(incident.incident_id))
        answered = min(rated.get(incident.incident_id, 0), incident.report_count)
        samples += [Sample(incident.incident_id, closed, found, hit=n < answered) for n in range(incident.report_count)]
    return samples


def repeat_samples(facts: Facts, rules: Rules) -> list[Sample]:
    """Incidents with an earlier one of the same grid and category within N days (重复发生)."""
    by_place: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    known = [i for i in facts.incidents.values() if i.reported_at and i.grid and i.category]
    for incident in known:
        assert incident.reported_at and incident.grid and incident.category
        by_place[(incident.grid, incident.category)].append(incident.reported_at)
    window = timedelta(days=rules.repeat_days)
    samples = []
    for incident in known:
        assert incident.reported_at and incident.grid and incident.category
        earlier = [t for t in by_place[(incident.grid, incident.category)]
                   if incident.reported_at - window <= t < incident.reported_at]
        samples.append(Sample(incident.incident_id, incident.reported_at, incident_dims(rules, incident),
                              hit=bool(earlier)))
    return samples


def merged_samples(facts: Facts, rules: Rules) -> list[Sample]:
    """Reports that joined an open incident ÷ all reports (合并率); one sample per report."""
    samples = []
    for incident in facts.incidents.values():
        if incident.reported_at is None:
            continue
        found = incident_dims(rules, incident)
        samples += [Sample(incident.incident_id, incident.reported_at, found, hit=n > 0)
                    for n in range(incident.report_count)]
    return samples


def no_penalty_samples(facts: Facts, rules: Rules) -> list[Sample]:
    """Decisions by discretion rule; in the numerator, the no-penalty ones (for the procuratorate)."""
    return [Sample(case.case_id, case.decided_at,
                   dims(tenant=rules.tenant, category=case.category, rule=case.outcome, department=case.departments),
                   hit=case.outcome in NO_PENALTY)
            for case in facts.cases if case.decided_at is not None and case.outcome is not None]


def mediation_samples(facts: Facts, rules: Rules) -> list[Sample]:
    """Mediations resolved (on site or in mediation) ÷ concluded; withdrawn ones are left out."""
    return [Sample(m.incident_id or m.mediation_id, m.concluded_at, dims(tenant=rules.tenant, category=m.category),
                   hit=m.outcome in MEDIATION_RESOLVED)
            for m in facts.mediations
            if m.concluded_at is not None and m.outcome is not None and m.outcome != "withdrawn"]
