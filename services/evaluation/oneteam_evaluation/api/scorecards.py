"""Officers' and teams' scorecards for the assessment (考核), and hotspots for patrol planning."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from oneteam_evaluation import queries
from oneteam_evaluation.api.common import CSV_TOO, Evaluation, Reader, Span, check_reader, csv_response
from oneteam_evaluation.domain.assessment import SCORED, balance, geojson

router = APIRouter(tags=["assessment"])
GEOJSON = "application/geo+json"


@router.get("/v1/tenants/{tenant}/scorecards/{who}", response_model=None, responses=CSV_TOO)
async def scorecards(tenant: str, who: Literal["officers", "teams"], principal: Reader, runtime: Evaluation,
                     span: Span, format: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
                     ) -> list[dict[str, Any]] | Response:
    """Orders, busy time, distance, the scored shares and the weighted score per officer or team."""
    own = check_reader(principal, tenant, "officer" if who == "officers" else "team")
    found = await queries.cards(runtime, tenant, who.removesuffix("s"), span.start, span.end)
    if own is not None:
        found = [c for c in found if c.key == own]
    if format == "csv":
        return csv_response([who[:-1], "orders", "busy_s", "distance_m", *SCORED, "score"],
                            ([c.key, c.orders, c.busy_s, c.distance_m, *(c.shares.get(n) for n in SCORED), c.score]
                             for c in found), f"{tenant}-scorecards-{who}.csv")
    return [asdict(c) for c in found]


@router.get("/v1/tenants/{tenant}/workload")
async def workload(tenant: str, principal: Reader, runtime: Evaluation, span: Span) -> dict[str, Any]:
    """How evenly orders and busy time fell on the officers who had orders in the window."""
    check_reader(principal, tenant, "tenant")
    return asdict(balance(await queries.cards(runtime, tenant, "officer", span.start, span.end)))


@router.get("/v1/tenants/{tenant}/hotspots", response_model=None,
            responses={200: {"content": {GEOJSON: {}}}})
async def hotspots(tenant: str, principal: Reader, runtime: Evaluation, span: Span,
                   top: Annotated[int, Query(ge=1, le=500)] = 20,
                   format: Annotated[Literal["json", "geojson"], Query(alias="format")] = "json",
                   cells: Annotated[Literal["grid", "h3"], Query(description="Grids or H3 hexagons")] = "grid",
                   resolution: Annotated[int, Query(ge=5, le=12, description="H3 resolution (9: about 0.1 km²)")] = 9,
                   ) -> list[dict[str, Any]] | JSONResponse:
    """The busiest place × category × hour-of-day cells, with the previous window's count for the trend.

    The place is a grid, or with `cells=h3` an H3 cell (its index in `grid`; GeoJSON draws its hexagon).
    """
    check_reader(principal, tenant, "grid")
    found = await queries.hot(runtime, tenant, span.start, span.end, top, resolution if cells == "h3" else None)
    if format == "geojson":
        return JSONResponse(geojson(found, hexagons=cells == "h3"), media_type=GEOJSON)
    return [asdict(h) for h in found]
