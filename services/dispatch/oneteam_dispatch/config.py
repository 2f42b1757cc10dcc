"""Configuration files of a tenant, validated with a schema: the responsibility list, SLA
profiles, districts, joint checklists (``responsibilities.yaml``) and a roster of officers
(``officers.yaml``, or the JSON list format of ``deploy/demo/officers.json``).

A bad file stops start-up with an error naming the file and the entry, e.g.
``responsibilities.yaml: entries[3] (fire_hazard).sla_profile: ...``.
"""

from __future__ import annotations

import json
import re
from datetime import time
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from oneteam_contracts import GeoPoint, TenantCode
from oneteam_dispatch.domain.joint import ChecklistItem
from oneteam_dispatch.domain.officers import Officer, OfficerStatus, Shift, TravelMode
from oneteam_dispatch.domain.responsibility import (
    HandlingMode,
    Responsibility,
    ResponsibilityList,
    TeamType,
    build_list,
)
from oneteam_dispatch.domain.sla import SlaProfile

DEMO_DIR = Path(__file__).parent / "config"
Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")]
# District codes come from the tenant's GeoJSON, which intake reads too (e.g. "D01").
DistrictCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
_SHIFT = re.compile(r"^([01][0-9]|2[0-4]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])$")


class ConfigError(ValueError):
    """A configuration file that does not fit its schema; the message names file and entry."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SlaProfileIn(_Strict):
    """Minutes from the order to each stage's deadline; each stage no earlier than the one before."""

    acknowledge: float = Field(gt=0)
    coordinate: float = Field(gt=0)
    arrive: float = Field(gt=0)
    report: float = Field(gt=0)
    max_travel: float | None = Field(None, gt=0, description="Travel minutes a candidate may need; default: arrive")

    def profile(self, name: str) -> SlaProfile:
        if not self.acknowledge <= self.coordinate <= self.arrive <= self.report:
            raise ValueError(f"sla_profiles.{name}: stages must not end before the previous one")
        return SlaProfile(name, self.acknowledge, self.coordinate, self.arrive, self.report, self.max_travel)


class EntryIn(_Strict):
    """One line of the responsibility list."""

    category: Code
    team_type: TeamType
    department: Code
    handling: HandlingMode
    skills: list[Code] = []
    joint_departments: list[Code] = []
    legal_basis: str = Field(min_length=1, max_length=500)
    power_held: bool
    sla_profile: str = "1358"

    def entry(self) -> Responsibility:
        return Responsibility(self.category, self.team_type, self.department, self.handling, frozenset(self.skills),
                              tuple(self.joint_departments), self.legal_basis, self.power_held, self.sla_profile)


class DistrictIn(_Strict):
    """A district (片区) and the districts next to it."""

    code: DistrictCode
    name: str = Field(min_length=1, max_length=100)
    neighbours: list[DistrictCode] = []


class ChecklistItemIn(_Strict):
    """One item of a department's inspection checklist."""

    code: Code
    text: str = Field(min_length=1, max_length=500)


class ResponsibilitiesIn(_Strict):
    """The editable part of a tenant's configuration: SLA profiles and the list's entries."""

    sla_profiles: dict[str, SlaProfileIn] = Field(min_length=1)
    entries: list[EntryIn]


class TenantFileIn(ResponsibilitiesIn):
    """``responsibilities.yaml``: the list plus districts and checklists."""

    tenant: TenantCode
    districts: list[DistrictIn] = []
    checklists: dict[Code, list[ChecklistItemIn]] = {}


class OfficerIn(_Strict):
    """An officer's registry entry."""

    name: str = Field(min_length=1, max_length=100)
    team: str | None = Field(None, max_length=100)
    department: Code = "comprehensive_enforcement"
    district: DistrictCode | None = None
    skills: list[Code] = []
    mode: TravelMode = TravelMode.E_BIKE
    shifts: list[str] = Field(default=[], description='Daily windows in local time, e.g. "08:00-20:00"')
    status: OfficerStatus = OfficerStatus.AVAILABLE
    position: GeoPoint | None = None

    @field_validator("shifts")
    @classmethod
    def _shifts_are_windows(cls, value: list[str]) -> list[str]:
        for window in value:
            if not _SHIFT.match(window):
                raise ValueError(f'shift {window!r} is not "HH:MM-HH:MM"')
        return value

    def officer(self, officer_id: str, tenant: str) -> Officer:
        return Officer(id=officer_id, tenant=tenant, name=self.name, team=self.team, status=self.status,
                       position=self.position, last_assigned_at=None, department=self.department,
                       district=self.district, skills=frozenset(self.skills), mode=self.mode,
                       shifts=tuple(parse_shift(w) for w in self.shifts))


class RosterEntryIn(OfficerIn):
    """One officer of a roster file."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    tenant: TenantCode | None = None


class RosterFileIn(_Strict):
    """``officers.yaml``: a tenant's officers."""

    tenant: TenantCode
    officers: list[RosterEntryIn]


def parse_shift(window: str) -> Shift:
    """ "08:00-20:00" → a Shift; "24:00" means midnight."""
    match = _SHIFT.match(window)
    if match is None:
        raise ValueError(f'shift {window!r} is not "HH:MM-HH:MM"')
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    return Shift(time(h1 % 24, m1), time(h2 % 24, m2))


class TenantConfig:
    """A tenant's validated configuration."""

    def __init__(self, source: TenantFileIn, version: int = 1) -> None:
        self.source = source
        self.tenant = source.tenant
        self.responsibilities = responsibility_list(source.tenant, version, source)
        self.neighbours = {d.code: frozenset(d.neighbours) for d in source.districts}
        self.checklists = {dept: [ChecklistItem(i.code, dept, i.text) for i in items]
                           for dept, items in source.checklists.items()}


def responsibility_list(tenant: str, version: int, source: ResponsibilitiesIn) -> ResponsibilityList:
    """Build the domain list, turning rule errors into one message naming the entry."""
    profiles = {name: p.profile(name) for name, p in source.sla_profiles.items()}
    return build_list(tenant, version, [e.entry() for e in source.entries], profiles)


def _read(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def _explain(path: Path, error: ValidationError, data: Any, prefix: str | None = None) -> ConfigError:
    lines = []
    for e in error.errors():
        loc = ([prefix] if prefix else []) + list(e["loc"])
        where = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc).replace(".[", "[")
        # Name the entry by its category or id, so the bad line is easy to find.
        if len(loc) >= 2 and isinstance(loc[1], int) and isinstance(data, dict):
            items = data.get(str(loc[0]))
            if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
                label = items[loc[1]].get("category") or items[loc[1]].get("id")
                where = where.replace(f"[{loc[1]}]", f"[{loc[1]}] ({label})", 1) if label else where
        lines.append(f"{where}: {e['msg']}")
    return ConfigError(f"{path.name}: " + "; ".join(lines))


def load_tenant_file(path: Path) -> TenantConfig:
    """Read and validate a ``responsibilities.yaml``."""
    data = _read(path)
    try:
        return TenantConfig(TenantFileIn.model_validate(data))
    except ValidationError as error:
        raise _explain(path, error, data) from None
    except ValueError as error:
        raise ConfigError(f"{path.name}: {error}") from None


def load_roster(path: Path) -> list[Officer]:
    """Read and validate a roster: ``{tenant, officers: [...]}`` or a JSON list with a tenant per officer."""
    data = _read(path)
    try:
        if isinstance(data, list):
            entries = TypeAdapter(list[RosterEntryIn]).validate_python(data)
            missing = [e.id for e in entries if e.tenant is None]
            if missing:
                raise ConfigError(f"{path.name}: officers {', '.join(missing)} name no tenant")
            return [e.officer(e.id, str(e.tenant)) for e in entries]
        roster = RosterFileIn.model_validate(data)
        return [e.officer(e.id, e.tenant or roster.tenant) for e in roster.officers]
    except ValidationError as error:
        if isinstance(data, list):
            error_data: Any = {"officers": data}
            raise _explain(path, error, error_data, prefix="officers") from None
        raise _explain(path, error, data) from None


def demo_tenant_files() -> list[Path]:
    """The responsibility files shipped with the service (the demo tenant's)."""
    return sorted(DEMO_DIR.glob("*/responsibilities.yaml"))
