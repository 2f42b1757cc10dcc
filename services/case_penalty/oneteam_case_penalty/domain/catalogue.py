"""A tenant's penalty catalogue (违法行为清单): each item's legal basis, fine, discretion tiers
(裁量基准) and the no-penalty lists (不予处罚清单) it is on. Loaded from YAML and validated at
start-up; the schema lives here so the rules and their data agree.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoPenaltyRule(StrEnum):
    """The no-penalty and lighter-penalty rules an item may be listed for."""

    MINOR = "minor"  # 轻微不罚, Art. 33 ¶1 first sentence
    FIRST = "first"  # 首违不罚, Art. 33 ¶1 second sentence
    MEDIATED = "mediated"  # 调解不罚, local policy
    NO_FAULT = "no_fault"  # 无过错不罚, Art. 33 ¶2
    PUBLIC_BENEFIT = "public_benefit"  # 公益减罚, local policy
    FAST_TRACK = "fast_track"  # 轻微速罚, summary procedure on the spot


class LegalBasis(_Strict):
    """Where the rule and the penalty are written."""

    law: str = Field(min_length=2, max_length=100)
    article: str = Field(min_length=1, max_length=100)
    verified: bool = Field(True, description="False until the tenant's legal officer has checked article and amounts")
    note: str | None = Field(None, max_length=300)


class Fine(_Strict):
    """A fine range: fixed yuan, or a percentage of an amount the case establishes (e.g. building cost)."""

    min_yuan: int = Field(0, ge=0)
    max_yuan: int | None = Field(None, ge=0)
    percent_of: Code | None = None  # name of an amount fact, e.g. construction_cost_yuan
    min_percent: float = Field(0, ge=0, le=1000)
    max_percent: float | None = Field(None, ge=0, le=1000)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.percent_of is None and self.max_yuan is None:
            raise ValueError("give max_yuan, or percent_of with max_percent")
        if self.percent_of is not None and self.max_percent is None:
            raise ValueError("percent_of needs max_percent")
        if self.max_yuan is not None and self.max_yuan < self.min_yuan:
            raise ValueError("max_yuan is below min_yuan")
        if self.max_percent is not None and self.max_percent < self.min_percent:
            raise ValueError("max_percent is below min_percent")
        return self

    def range_fen(self, amounts: dict[str, int]) -> tuple[int, int] | None:
        """The range in fen for these amounts; None when the amount it depends on is unknown."""
        if self.percent_of is None:
            assert self.max_yuan is not None
            return self.min_yuan * 100, self.max_yuan * 100
        base = amounts.get(self.percent_of)
        if base is None:
            return None
        top = self.max_percent if self.max_percent is not None else self.min_percent
        return round(base * self.min_percent), round(base * top)  # yuan × percent = fen


class Tier(_Strict):
    """A discretion tier (裁量阶次): the facts that put a case in it and the part of the range it allows."""

    code: Code
    when: list[Code] = Field(default_factory=list, description="Facts that must all hold; empty for the default")
    unless: list[Code] = Field(default_factory=list, description="Facts that must all be absent")
    low_percent: float = Field(ge=0, le=100, description="Where in the fine range the tier starts")
    high_percent: float = Field(ge=0, le=100)
    warning_only: bool = False


class Item(_Strict):
    """One act in the catalogue (违法行为)."""

    code: Code
    category: Code
    department: Code
    act: str = Field(min_length=2, max_length=200)
    basis: LegalBasis
    penalty_basis: LegalBasis | None = None
    fine: Fine
    measures: list[Code] = Field(default_factory=list, description="Non-fine measures, e.g. order_to_correct")
    tiers: list[Tier] = Field(min_length=1)
    lists: list[NoPenaltyRule] = Field(default_factory=list, description="No-penalty lists this item is on")
    first_window_years: int = Field(2, ge=1, le=5, description="'First' means none within this many years")
    public_benefit_percent: int = Field(50, ge=0, le=100, description="Fine kept after public-benefit service")
    major_fine_yuan: int = Field(10_000, ge=0, description="At or above: major decision, legal review (Art. 58)")
    hearing_fine_yuan: int = Field(10_000, ge=0, description="At or above: right to a hearing (Art. 63)")

    @model_validator(mode="after")
    def _one_default_tier(self) -> Self:
        if not any(not t.when for t in self.tiers):
            raise ValueError("one tier must have no 'when' facts: the default tier")
        return self


class Department(_Strict):
    """A department whose rules the joint team enforces, and its procedural rules."""

    name: str = Field(min_length=1, max_length=100)
    filing_working_days: int = Field(15, ge=1, le=60, description="Time to decide whether to file (立案)")


class Catalogue(_Strict):
    """A tenant's catalogue: departments, items, document numbering."""

    tenant: Annotated[str, Field(pattern=r"^[0-9]{6}([0-9]{3}|[0-9]{6})?$")]
    document_prefix: str = Field(min_length=1, max_length=40, description="e.g. 西湖综执罚 → 西湖综执罚〔2026〕12号")
    departments: dict[Code, Department]
    items: list[Item] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> Self:
        seen: set[str] = set()
        for i, item in enumerate(self.items):
            if item.code in seen:
                raise ValueError(f"items[{i}] ({item.code}): code used twice")
            if item.department not in self.departments:
                raise ValueError(f"items[{i}] ({item.code}): department {item.department!r} is not in departments")
            seen.add(item.code)
        return self

    def item(self, code: str) -> Item | None:
        """The item with `code`, if any."""
        return next((i for i in self.items if i.code == code), None)

    def for_category(self, category: str) -> list[Item]:
        """Items of a category, in catalogue order."""
        return [i for i in self.items if i.category == category]

    def fact_codes(self) -> set[str]:
        """Every fact a tier of this catalogue reads."""
        return {code for item in self.items for tier in item.tiers for code in (*tier.when, *tier.unless)}
