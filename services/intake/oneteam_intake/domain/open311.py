"""Open311 GeoReport v2 rules: answers to a category's attributes, and what the public sees.

The public rule: an unauthenticated reader (anyone may list requests) sees what a neighbour who
did not write the report may see — category, status, dates, the service notice and the place
at grid level (the grid's centre and name, not the reporter's doorstep). What the reporter
wrote, their contact and their photos are for the reporter (status token) and staff only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NoReturn

from oneteam_contracts import GeoPoint
from oneteam_intake.domain.catalog import Category
from oneteam_intake.domain.geography import TenantMap
from oneteam_intake.domain.reports import Incident, IncidentStatus, ReportState
from oneteam_servicekit.errors import InvalidRequest

# Without a grid: round to 0.01° (about 1 km), coarse enough to name no building.
_COARSE_DIGITS = 2


def check_attributes(category: Category, given: Mapping[str, Sequence[str]]) -> dict[str, str | list[str]]:
    """The answers to `category`'s attributes (`attribute[code]` fields), checked against its definition."""
    known = {attribute.code: attribute for attribute in category.attributes}
    answers: dict[str, str | list[str]] = {}
    for code, values in given.items():
        attribute = known.get(code)
        if attribute is None:
            _refuse(code, f"{category.code} has no attribute {code!r}")
        keys = {key for key, _ in attribute.values}
        if attribute.datatype in ("singlevaluelist", "multivaluelist"):
            wrong = [value for value in values if value not in keys]
            if wrong:
                _refuse(code, f"{wrong[0]!r} is not one of {', '.join(sorted(keys))}")
        if attribute.datatype == "number":
            try:
                [float(value) for value in values]
            except ValueError:
                _refuse(code, "not a number")
        answers[code] = list(values) if attribute.datatype == "multivaluelist" else values[-1]
    for attribute in category.attributes:
        if attribute.required and attribute.code not in answers:
            _refuse(attribute.code, "required")
    return answers


def public_place(tenant: TenantMap | None, grid: str | None, point: GeoPoint) -> tuple[GeoPoint, str | None]:
    """The place the public is shown: the grid's centre and name, else the point rounded to ~1 km."""
    area = next((g for g in tenant.grids if g.code == grid), None) if tenant is not None and grid else None
    if area is not None:
        centre = area.shape.centroid
        return GeoPoint(lon=round(centre.x, 6), lat=round(centre.y, 6)), f"{area.name or area.code} ({area.code})"
    return GeoPoint(lon=round(point.lon, _COARSE_DIGITS), lat=round(point.lat, _COARSE_DIGITS)), None


def request_status(state: ReportState, incident: Incident | None) -> str:
    """Open311's two statuses: closed when dismissed or when the incident is closed (reopened → open)."""
    closed = state is ReportState.DISMISSED or (incident is not None and incident.status is IncidentStatus.CLOSED)
    return "closed" if closed else "open"


def _refuse(code: str, reason: str) -> NoReturn:
    field = f"attribute[{code}]"
    raise InvalidRequest(f"{field}: {reason}", errors=[{"field": field, "reason": reason}])
