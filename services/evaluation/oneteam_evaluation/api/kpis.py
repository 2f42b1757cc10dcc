"""KPIs by period and dimension, and the samples behind any one figure."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from oneteam_evaluation import queries
from oneteam_evaluation.api.common import CSV_TOO, Evaluation, Reader, Span, check_reader, csv_response
from oneteam_evaluation.domain.figures import DIMENSIONS, LABEL_FORMATS, Period, is_label
from oneteam_evaluation.domain.kpis import KPIS
from oneteam_servicekit import InvalidRequest

router = APIRouter(tags=["kpis"])
Dimension = Annotated[str, Query(description=f"One of: {', '.join(DIMENSIONS)}")]
Format = Annotated[Literal["json", "csv"], Query(alias="format")]
Label = Annotated[str, Query(description="The figure's period label, shaped by `period`: "
                             + ", ".join(f"{p} {example}" for p, example in LABEL_FORMATS.items()))]


def _dimension(value: str) -> str:
    if value not in DIMENSIONS:
        raise InvalidRequest(f"dimension must be one of {', '.join(DIMENSIONS)}", field="dimension")
    return value


def _label(value: str, period: Period) -> str:
    # A label of another shape matches no figure: say so rather than answer an empty explanation.
    if not is_label(value, period):
        raise InvalidRequest(f"label {value!r} is not a {period} label like {LABEL_FORMATS[period]}", field="label")
    return value


@router.get("/v1/kpis")
async def list_kpis(principal: Reader) -> list[dict[str, Any]]:
    """Every KPI: name, title, what one counted item is, and its target."""
    return [{"name": k.name, "title": k.title, "counts": k.counts, "target": k.target} for k in KPIS.values()]


@router.get("/v1/tenants/{tenant}/targets")
async def targets(tenant: str, principal: Reader, runtime: Evaluation) -> dict[str, Any]:
    """Every targeted KPI over the rolling window ending now; `below` marks one that falls short."""
    check_reader(principal, tenant, "tenant")
    start, end, found = await queries.standing(runtime, tenant)
    return {"tenant": tenant, "from": start, "to": end, "standings": [asdict(s) for s in found],
            "below": [s.kpi for s in found if s.below]}


@router.get("/v1/tenants/{tenant}/kpis/{kpi}", response_model=None, responses=CSV_TOO)
async def kpi(tenant: str, kpi: str, principal: Reader, runtime: Evaluation, span: Span,
              period: Period = Period.DAY, dimension: Dimension = "tenant",
              format: Format = "json") -> dict[str, Any] | Response:
    """One KPI per period and dimension value: numerator, denominator, share and p50/p90 seconds."""
    own = check_reader(principal, tenant, _dimension(dimension))
    found = await queries.kpi_figures(runtime, tenant, kpi, span.start, span.end, period, dimension)
    if own is not None:
        found = [f for f in found if f.key == own]
    if format == "csv":
        return csv_response(["kpi", "period", dimension, "numerator", "denominator", "value", "p50_s", "p90_s"],
                            ([kpi, f.period, f.key, f.numerator, f.denominator, f.value, f.p50_s, f.p90_s]
                             for f in found), f"{tenant}-{kpi}-{period}-{dimension}.csv")
    return {"kpi": kpi, "title": KPIS[kpi].title, "target": KPIS[kpi].target, "tenant": tenant,
            "period": period, "dimension": dimension, "from": span.start, "to": span.end,
            "figures": [asdict(f) for f in found]}


@router.get("/v1/tenants/{tenant}/kpis/{kpi}/explain", response_model=None, responses=CSV_TOO)
async def explain(tenant: str, kpi: str, principal: Reader, runtime: Evaluation, span: Span,
                  label: Label,
                  key: Annotated[str | None, Query(description="The dimension value (default: the tenant)")] = None,
                  period: Period = Period.DAY, dimension: Dimension = "tenant",
                  format: Format = "json") -> dict[str, Any] | Response:
    """What one figure counted: every incident (or case, mediation) in its denominator, and whether in its numerator."""
    own = check_reader(principal, tenant, _dimension(dimension))
    label = _label(label, period)
    key = own or key or tenant
    found = await queries.explain(runtime, tenant, kpi, span.start, span.end, period, dimension, label, key)
    counted = KPIS[kpi].counts
    if format == "csv":
        return csv_response(["kpi", "period", dimension, counted, "at", "in_numerator", "seconds"],
                            ([kpi, label, key, s.ref, s.at.isoformat(), s.hit, s.seconds] for s in found),
                            f"{tenant}-{kpi}-{label}-explained.csv")
    return {"kpi": kpi, "counts": counted, "period": label, "dimension": dimension, "key": key,
            "numerator": sum(1 for s in found if s.hit), "denominator": len(found),
            "items": [{"ref": s.ref, "at": s.at, "in_numerator": s.hit, "seconds": s.seconds} for s in found]}
