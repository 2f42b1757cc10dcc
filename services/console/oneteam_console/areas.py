"""Tenants' districts and grids (片区 / 网格) as GeoJSON, read once at start-up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from oneteam_servicekit import NotFound

KINDS = frozenset({"tenant", "district", "grid"})


class AreasError(ValueError):
    """A GeoJSON file the screen cannot draw; the message names the file and the feature."""


def check(name: str, data: Any) -> dict[str, Any]:
    """A FeatureCollection whose features each have a kind, a code and a polygon."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise AreasError(f"{name}: not a GeoJSON FeatureCollection")
    for index, feature in enumerate(data.get("features", [])):
        props = feature.get("properties") or {}
        where = f"{name}: features[{index}] ({props.get('code', '?')})"
        if props.get("kind") not in KINDS:
            raise AreasError(f"{where}.properties.kind: one of {sorted(KINDS)} expected")
        if not props.get("code"):
            raise AreasError(f"{where}.properties.code: missing")
        if (feature.get("geometry") or {}).get("type") not in {"Polygon", "MultiPolygon"}:
            raise AreasError(f"{where}.geometry: Polygon or MultiPolygon expected")
    return data


class Areas:
    """`<tenant>.geojson` files of one folder; none configured means a map without areas."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.by_tenant: dict[str, dict[str, Any]] = {}

    def load(self) -> None:
        """Read and check every file of the folder."""
        if self.folder is None:
            return
        for path in sorted(Path(self.folder).glob("*.geojson")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as error:
                raise AreasError(f"{path.name}: line {error.lineno}: {error.msg}") from error
            self.by_tenant[path.stem] = check(path.name, data)

    def of(self, tenant: str) -> dict[str, Any]:
        """The tenant's areas; 404 when the deployment has none for it."""
        found = self.by_tenant.get(tenant)
        if found is None:
            raise NotFound(f"no areas for tenant {tenant}", field="tenant")
        return found
