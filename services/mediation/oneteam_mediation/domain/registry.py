"""A tenant's mediators (调解员) and rooms (调解室), as its ``registry.yaml`` declares them.

The registry is data, validated at start-up: who mediates which kinds of dispute, when they
are available, which organisations they are tied to, and which rooms hold how many people.
"""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from oneteam_deadlines.calendar import CHINA

Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,63}$")]
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]


class Skill(StrEnum):
    """The kinds of dispute (纠纷类型) a mediator handles; a dispute needs one."""

    NEIGHBOUR = "neighbour"  # 邻里纠纷
    CONSUMER = "consumer"  # 消费纠纷
    LABOUR_WAGES = "labour_wages"  # 劳资 (欠薪) 纠纷
    PROPERTY_MANAGEMENT = "property_management"  # 物业纠纷
    TRAFFIC = "traffic"  # 交通事故纠纷


class MediatorKind(StrEnum):
    """Who the mediator is."""

    PEOPLES_MEDIATOR = "peoples_mediator"  # 人民调解员
    LAWYER = "lawyer"  # 律师
    COMMUNITY_STAFF = "community_staff"  # 社区工作者


class Weekday(StrEnum):
    """Days of the week, as the registry names them."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


_ORDER = list(Weekday)


class Availability(BaseModel):
    """When a mediator can hold sessions, in China time."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    days: list[Weekday] = Field(default_factory=lambda: _ORDER[:5], min_length=1)
    start: time = time(8, 30)
    end: time = time(17, 30)

    @model_validator(mode="after")
    def _ordered(self) -> Availability:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self

    def covers(self, starts_at: datetime, ends_at: datetime) -> bool:
        """Whether a session from `starts_at` to `ends_at` falls inside these hours on one listed day."""
        start, end = starts_at.astimezone(CHINA), ends_at.astimezone(CHINA)
        return (start.date() == end.date() and _ORDER[start.weekday()] in self.days
                and self.start <= start.time() and end.time() <= self.end)


class Mediator(BaseModel):
    """One mediator: skills, availability, and the organisations they are tied to (conflicts)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: Id
    name: str = Field(min_length=1, max_length=50)
    kind: MediatorKind
    skills: list[Skill] = Field(min_length=1)
    availability: Availability = Field(default_factory=Availability)
    max_open: int = Field(8, ge=1, description="Open mediations at which the mediator is proposed no more")
    affiliations: list[str] = Field(default_factory=list, description="Organisations (credit codes or names)")
    active: bool = True


class Room(BaseModel):
    """A mediation room, e.g. the sunshine mediation room (阳光调解室)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: Code
    name: str = Field(min_length=1, max_length=50)
    capacity: int = Field(ge=2)


class Registry(BaseModel):
    """One tenant's registry plus its mediation knobs."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    tenant: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}([0-9]{3}|[0-9]{6})?$")]
    mediators: list[Mediator] = Field(min_length=1)
    rooms: list[Room] = Field(default_factory=list)
    # category (事项) → the skill its disputes need; others need `default_skill`.
    dispute_types: dict[Code, Skill] = Field(default_factory=dict)
    default_skill: Skill = Skill.NEIGHBOUR
    # Days to conclude from acceptance, per skill (People's Mediation practice: 30 days).
    conclusion_days: dict[Skill, int] = Field(default_factory=dict)
    default_conclusion_days: int = Field(30, ge=1)
    first_session_working_days: int = Field(5, ge=1)
    reminder_minutes: list[int] = Field(default_factory=lambda: [1440, 60])
    # 调解不罚: categories whose kept agreement is grounds for no penalty (minor public-order
    # matters from civil disputes, Public Security Administration Punishments Law; tenant's list).
    no_penalty_categories: list[Code] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> Registry:
        for what, ids in (("mediators", [m.id for m in self.mediators]), ("rooms", [r.id for r in self.rooms])):
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            if repeated:
                raise ValueError(f"{what}: {', '.join(repeated)} listed twice")
        return self

    def mediator(self, mediator_id: str) -> Mediator | None:
        """A mediator by id."""
        return next((m for m in self.mediators if m.id == mediator_id), None)

    def room(self, room_id: str) -> Room | None:
        """A room by id."""
        return next((r for r in self.rooms if r.id == room_id), None)

    def skill_for(self, category: str) -> Skill:
        """The skill a dispute of `category` needs."""
        return self.dispute_types.get(category, self.default_skill)

    def conclusion_days_for(self, skill: Skill) -> int:
        """Days a dispute of `skill` has to conclude."""
        return self.conclusion_days.get(skill, self.default_conclusion_days)
