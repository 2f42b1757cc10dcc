"""The category catalog (事项目录): codes, names, priorities, dedup rules, camera labels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from oneteam_contracts import Priority
from oneteam_servicekit.errors import InvalidRequest


@dataclass(frozen=True)
class Attribute:
    """An extra question a reporter answers for a category (an Open311 service attribute)."""

    code: str
    datatype: str  # string | number | datetime | text | singlevaluelist | multivaluelist
    description: str
    required: bool = False
    values: tuple[tuple[str, str], ...] = ()  # (key, name) for the list datatypes


@dataclass(frozen=True)
class Category:
    """One kind of problem and the knobs intake applies to it."""

    code: str
    name_zh: str
    name_en: str
    priority: Priority
    dedup_radius_m: float
    dedup_window: timedelta
    auto_dispatch: bool
    keywords: tuple[str, ...] = ()
    attributes: tuple[Attribute, ...] = ()


@dataclass(frozen=True)
class CameraLabel:
    """An AI-camera label, the category it means and its confidence thresholds."""

    label: str
    category: str
    ignore_below: float
    review_below: float
    suppress_window: timedelta


@dataclass(frozen=True)
class Suggestion:
    """A category suggested for an untriaged report, with the keywords that matched."""

    category: str
    name_zh: str
    name_en: str
    matched: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    """Every category, with lookups by code, camera label and other platforms' codes."""

    categories: Mapping[str, Category]
    camera_labels: Mapping[str, CameraLabel] = field(default_factory=dict)
    # (platform, platform's own code) → category code
    source_codes: Mapping[tuple[str, str], str] = field(default_factory=dict)
    escalate_every: int = 3

    def get(self, code: str) -> Category | None:
        """The category with `code`, or None."""
        return self.categories.get(code)

    def require(self, code: str, field_name: str = "category") -> Category:
        """The category with `code`; an unknown code is refused naming the field."""
        category = self.categories.get(code)
        if category is None:
            raise InvalidRequest(
                f"{field_name}: unknown category {code!r}; known: {', '.join(sorted(self.categories))}",
                errors=[{"field": field_name, "reason": f"unknown category {code!r}"}],
            )
        return category

    def for_camera(self, label: str) -> CameraLabel | None:
        """The camera label's settings, or None for a label the catalog does not know."""
        return self.camera_labels.get(label)

    def for_source_code(self, platform: str, code: str) -> Category | None:
        """The category a platform's own code maps to, or None."""
        mapped = self.source_codes.get((platform, code))
        return self.categories.get(mapped) if mapped is not None else None

    def suggest(self, text: str, limit: int = 3) -> list[Suggestion]:
        """Categories whose keywords (or names) occur in `text`, most matches first."""
        lowered = text.lower()
        found: list[Suggestion] = []
        for category in self.categories.values():
            words = _unique((*category.keywords, category.name_zh, category.name_en))
            matched = tuple(word for word in words if word.lower() in lowered)
            if matched:
                found.append(Suggestion(category.code, category.name_zh, category.name_en, matched))
        found.sort(key=lambda s: (-len(s.matched), s.category))
        return found[:limit]

    def escalated(self, base: Priority, report_count: int) -> Priority:
        """Priority after `report_count` reports: one step up per `escalate_every` reports."""
        priority = base
        for _ in range(report_count // self.escalate_every):
            priority = priority.raised()
        return priority


def _unique(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(word for word in words if word))
