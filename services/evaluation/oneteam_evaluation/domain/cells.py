"""Hotspot cells: the tenant's grids, or H3 hexagons (equal-area cells any GIS tool can draw).

A grid is drawn by people and varies in size; a hexagon of one H3 resolution is the same size
everywhere (resolution 9: about 0.1 km², a few minutes' walk across), so counts compare.
"""

from __future__ import annotations

from collections.abc import Callable

import h3  # type: ignore[import-untyped]  # h3 4.x ships no type information

from oneteam_evaluation.domain.facts import Incident

CellOf = Callable[[Incident], str | None]


def grid_of(incident: Incident) -> str | None:
    """The incident's grid (网格)."""
    return incident.grid


def h3_of(resolution: int) -> CellOf:
    """The H3 cell of the incident's position (WGS-84) at `resolution`."""
    def cell(incident: Incident) -> str | None:
        if incident.lat is None or incident.lon is None:
            return None
        return str(h3.latlng_to_cell(incident.lat, incident.lon, resolution))
    return cell


def h3_ring(cell: str) -> list[list[float]]:
    """The cell's boundary as a closed GeoJSON ring of [lon, lat], counter-clockwise (RFC 7946)."""
    ring = [[round(lon, 7), round(lat, 7)] for lat, lon in h3.cell_to_boundary(cell)]
    return [*ring, ring[0]]
