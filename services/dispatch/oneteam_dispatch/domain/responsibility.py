"""The responsibility list (权责清单): for each category, who owns it and how it is handled."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from oneteam_dispatch.domain.sla import SlaProfile


class HandlingMode(StrEnum):
    """What the owner does with an incident of the category."""

    ON_SITE = "on_site"  # handle on the spot
    CASE = "case"  # an administrative penalty case
    MEDIATION = "mediation"  # a dispute for mediation
    TRANSFER = "transfer"  # another body's power: transfer out


class TeamType(StrEnum):
    """Kind of team that owns a category."""

    MANAGEMENT_BRIGADE = "management_brigade"  # 综合管理大队: front-line order and cleanliness
    ENFORCEMENT_TEAM = "enforcement_team"  # 行政执法队: penalties
    OUTSIDE_DEPARTMENT = "outside_department"  # a department not under the subdistrict


@dataclass(frozen=True)
class Need:
    """One officer the incident needs: from a department, with skills."""

    department: str
    skills: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Responsibility:
    """One entry of the list: the category's owner, mode, joint departments, basis and clock."""

    category: str
    team_type: TeamType
    department: str
    handling: HandlingMode
    skills: frozenset[str]
    joint_departments: tuple[str, ...]
    legal_basis: str
    power_held: bool  # whether the subdistrict holds the power itself (赋权) or must transfer
    sla_profile: str

    def needs(self) -> tuple[Need, ...]:
        """One officer from the owning department (with the skills), one from each joint department."""
        lead = Need(self.department, self.skills)
        return (lead, *(Need(d) for d in self.joint_departments if d != self.department))


@dataclass(frozen=True)
class ResponsibilityList:
    """A tenant's list at one version, with the SLA profiles it refers to."""

    tenant: str
    version: int
    entries: dict[str, Responsibility]
    profiles: dict[str, SlaProfile]

    def lookup(self, category: str) -> Responsibility | None:
        """The entry of `category`, or None: such an incident goes to the command centre's queue."""
        return self.entries.get(category)

    def profile_for(self, category: str) -> SlaProfile | None:
        """The SLA profile of `category`'s entry, or None when the category has no entry."""
        entry = self.lookup(category)
        return None if entry is None else self.profiles[entry.sla_profile]


class UnknownProfile(ValueError):
    """An entry names an SLA profile that is not defined."""


def build_list(tenant: str, version: int, entries: list[Responsibility],
               profiles: dict[str, SlaProfile]) -> ResponsibilityList:
    """A list, refusing duplicate categories and entries naming an undefined SLA profile."""
    by_category: dict[str, Responsibility] = {}
    for index, entry in enumerate(entries):
        if entry.category in by_category:
            raise ValueError(f"entries[{index}] ({entry.category}): category listed twice")
        if entry.sla_profile not in profiles:
            raise UnknownProfile(f"entries[{index}] ({entry.category}): SLA profile {entry.sla_profile!r} "
                                 f"is not defined (known: {', '.join(sorted(profiles))})")
        by_category[entry.category] = entry
    return ResponsibilityList(tenant, version, by_category, dict(profiles))
