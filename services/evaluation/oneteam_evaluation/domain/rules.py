"""A tenant's knobs for the figures, and the dimension values of an incident."""

from __future__ import annotations

from dataclasses import dataclass, field

from oneteam_evaluation.domain.facts import Incident, Order
from oneteam_evaluation.domain.figures import dims


@dataclass(frozen=True)
class Rules:
    """A tenant's knobs for the figures (from settings; see the README)."""

    tenant: str
    closure_sla_hours: float = 24.0
    closure_sla_by_category: dict[str, float] = field(default_factory=dict)
    repeat_days: int = 7
    rapid_minutes: float = 20.0
    rapid_categories: frozenset[str] = frozenset()
    targets: dict[str, float] = field(default_factory=dict)  # KPI → the tenant's own target


def incident_dims(rules: Rules, incident: Incident, orders: list[Order] | None = None) -> dict[str, tuple[str, ...]]:
    """An incident's dimension values, with the teams and officers of its orders when given."""
    orders = orders or []
    return dims(tenant=rules.tenant, district=incident.district, grid=incident.grid, category=incident.category,
                source=incident.source, team=[o.team for o in orders if o.team],
                officer=[officer for o in orders for officer in o.officer_ids])
