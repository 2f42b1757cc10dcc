"""Loading users' knobs: the category catalog (YAML) and each tenant's areas (GeoJSON).

Validated at start-up; a bad file stops the service with a `ConfigError` naming the file,
the entry and the reason, so a wrong edit never half-works in production.
"""

from __future__ import annotations

import contextlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from shapely.geometry import shape  # type: ignore[import-untyped]
from shapely.validation import explain_validity  # type: ignore[import-untyped]

from oneteam_contracts import CategoryCode, Priority, TenantCode
from oneteam_intake.domain.catalog import Attribute, CameraLabel, Catalog, Category
from oneteam_intake.domain.geography import Area, Areas, TenantMap

PACKAGED = Path(__file__).parent / "config"
# A grid may stick out of its district by rounding only (degrees, about 1 m).
_CONTAINMENT_TOLERANCE_DEG = 1e-5


class ConfigError(Exception):
    """A configuration file is missing or wrong; the message names the entry."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _CameraLabelEntry(_Strict):
    label: str = Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")
    ignore_below: float = Field(ge=0, le=1)
    review_below: float = Field(ge=0, le=1)
    suppress_min: int = Field(gt=0, le=7 * 24 * 60)

    @model_validator(mode="after")
    def _ordered(self) -> _CameraLabelEntry:
        if self.review_below < self.ignore_below:
            raise ValueError("review_below must be at least ignore_below")
        return self


class _AttributeEntry(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    description: str = Field(min_length=1)
    required: bool = False
    values: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _lists_have_values(self) -> _AttributeEntry:
        if self.datatype.endswith("valuelist") and not self.values:
            raise ValueError(f"a {self.datatype} needs values")
        return self


class _CategoryEntry(_Strict):
    code: CategoryCode
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    priority: Priority
    dedup_radius_m: float = Field(gt=0, le=5000)
    dedup_window_min: int = Field(gt=0, le=30 * 24 * 60)
    auto_dispatch: bool
    keywords: list[str] = Field(default_factory=list)
    camera_labels: list[_CameraLabelEntry] = Field(default_factory=list)
    source_codes: dict[str, list[str]] = Field(default_factory=dict)
    attributes: list[_AttributeEntry] = Field(default_factory=list)


class _CatalogFile(_Strict):
    escalate_every: int = Field(3, ge=1, le=100)
    categories: list[_CategoryEntry] = Field(min_length=1)


def load_catalog(path: Path) -> Catalog:
    """The catalog in `path`; raises ConfigError naming the bad entry."""
    raw = _read(path, yaml.safe_load)
    try:
        parsed = _CatalogFile.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(f"{path}: {_describe(error, raw)}") from None
    categories: dict[str, Category] = {}
    labels: dict[str, CameraLabel] = {}
    codes: dict[tuple[str, str], str] = {}
    for index, entry in enumerate(parsed.categories):
        where = f"{path}: categories[{index}] ({entry.code})"
        if entry.code in categories:
            raise ConfigError(f"{where}: code is used twice")
        categories[entry.code] = Category(
            code=entry.code, name_zh=entry.name_zh, name_en=entry.name_en, priority=entry.priority,
            dedup_radius_m=entry.dedup_radius_m, dedup_window=timedelta(minutes=entry.dedup_window_min),
            auto_dispatch=entry.auto_dispatch, keywords=tuple(entry.keywords),
            attributes=tuple(Attribute(a.code, a.datatype, a.description, a.required, tuple(a.values.items()))
                             for a in entry.attributes),
        )
        for label in entry.camera_labels:
            if label.label in labels:
                raise ConfigError(f"{where}: camera label {label.label!r} is already mapped to "
                                  f"{labels[label.label].category}")
            labels[label.label] = CameraLabel(label.label, entry.code, label.ignore_below, label.review_below,
                                              timedelta(minutes=label.suppress_min))
        for platform, platform_codes in entry.source_codes.items():
            for code in platform_codes:
                if (platform, code) in codes:
                    raise ConfigError(f"{where}: {platform} code {code!r} is already mapped to "
                                      f"{codes[(platform, code)]}")
                codes[(platform, code)] = entry.code
    return Catalog(categories, labels, codes, parsed.escalate_every)


class _Properties(_Strict):
    kind: Literal["tenant", "district", "grid"]
    code: str = Field(min_length=1, max_length=64)
    name: str = ""
    district: str | None = None
    # On the tenant feature: how long after closure a reporter or commander may reopen.
    reopen_window_days: int | None = Field(None, ge=0, le=365)


def load_tenant(path: Path) -> TenantMap:
    """One tenant's GeoJSON FeatureCollection: a `tenant` outline (optional: else the union
    of the districts), `district` polygons and `grid` polygons naming their district."""
    raw = _read(path, json.loads)
    tenant_code = path.stem
    try:
        TenantCodeModel.model_validate({"tenant": tenant_code})
    except ValidationError:
        raise ConfigError(f"{path}: file name must be the tenant's division code, e.g. 330106004.geojson") from None
    if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection":
        raise ConfigError(f"{path}: expected a GeoJSON FeatureCollection")
    outline = None
    reopen_window: timedelta | None = None
    districts: dict[str, Area] = {}
    grids: dict[str, Area] = {}
    for index, feature in enumerate(raw.get("features") or []):
        where = f"{path}: features[{index}]"
        try:
            props = _Properties.model_validate((feature or {}).get("properties"))
        except ValidationError as error:
            raise ConfigError(f"{where}.properties: {_describe(error, None)}") from None
        where += f" ({props.kind} {props.code})"
        try:
            geometry = shape(feature["geometry"])
        except Exception as error:
            raise ConfigError(f"{where}: geometry is not valid GeoJSON: {error}") from None
        if geometry.geom_type not in ("Polygon", "MultiPolygon") or not geometry.is_valid or geometry.is_empty:
            raise ConfigError(f"{where}: needs a valid Polygon or MultiPolygon ({explain_validity(geometry)})")
        if props.kind == "tenant":
            if props.code != tenant_code:
                raise ConfigError(f"{where}: code must be the file's tenant {tenant_code}")
            outline = geometry
            if props.reopen_window_days is not None:
                reopen_window = timedelta(days=props.reopen_window_days)
        elif props.kind == "district":
            if props.code in districts:
                raise ConfigError(f"{where}: district code is used twice")
            districts[props.code] = Area(props.code, props.name, geometry)
        else:
            if props.code in grids:
                raise ConfigError(f"{where}: grid code is used twice")
            if props.district is None:
                raise ConfigError(f"{where}: a grid must name its district")
            grids[props.code] = Area(props.code, props.name, geometry, props.district)
    if not districts:
        raise ConfigError(f"{path}: no district features")
    for grid in grids.values():
        district = districts.get(grid.district or "")
        if district is None:
            raise ConfigError(f"{path}: grid {grid.code} names unknown district {grid.district}")
        if not district.shape.buffer(_CONTAINMENT_TOLERANCE_DEG).covers(grid.shape):
            raise ConfigError(f"{path}: grid {grid.code} is not inside its district {grid.district}")
    if outline is None:
        from shapely.ops import unary_union  # type: ignore[import-untyped]

        outline = unary_union([area.shape for area in districts.values()])
    return TenantMap(tenant_code, outline, list(districts.values()), list(grids.values()), reopen_window)


class TenantCodeModel(_Strict):
    tenant: TenantCode


def load_areas(directory: Path) -> Areas:
    """Every `<tenant>.geojson` in `directory`."""
    files = sorted(directory.glob("*.geojson"))
    if not files:
        raise ConfigError(f"{directory}: no <tenant>.geojson files")
    return Areas({tenant.tenant: tenant for tenant in map(load_tenant, files)})


def _read(path: Path, parse: Any) -> Any:
    try:
        return parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (ValueError, yaml.YAMLError) as error:
        raise ConfigError(f"{path}: cannot be parsed: {error}") from None


def _describe(error: ValidationError, raw: Any) -> str:
    return "; ".join(f"{_path(item['loc'], raw)}: {item['msg']}" for item in error.errors())


def _path(loc: tuple[Any, ...], raw: Any) -> str:
    # categories[3] (street_vending).priority: the index and the code, easy to find in the file.
    text = ""
    for depth, part in enumerate(loc):
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
        if depth == 1 and loc[0] == "categories" and isinstance(part, int):
            with contextlib.suppress(KeyError, IndexError, TypeError):
                text += f" ({raw['categories'][part]['code']})"
    return text or "file"
