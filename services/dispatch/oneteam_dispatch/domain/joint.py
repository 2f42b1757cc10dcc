"""Joint operations (综合查一次): one visit by several departments to one target, one checklist.

The target is inspected once per round: each department sends one officer, each officer
records findings for their department's checklist items, and findings that need
enforcement become case requests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID, uuid4

from oneteam_contracts import GeoPoint
from oneteam_servicekit.errors import Conflict, Forbidden, InvalidRequest


@dataclass(frozen=True)
class ChecklistItem:
    """One thing to check, owned by one department."""

    code: str
    department: str
    text: str


@dataclass(frozen=True)
class Finding:
    """What an officer found for one checklist item."""

    item_code: str
    officer_id: str
    compliant: bool
    needs_enforcement: bool
    note: str | None
    recorded_at: datetime


@dataclass(frozen=True)
class JointOperation:
    """A planned joint visit, its members (department → officer), checklist and findings."""

    id: UUID
    tenant: str
    target_id: str
    target_name: str
    location: GeoPoint
    round: str
    members: dict[str, str]
    checklist: tuple[ChecklistItem, ...]
    findings: tuple[Finding, ...]
    created_at: datetime

    def item(self, code: str) -> ChecklistItem:
        """The checklist item `code`."""
        for item in self.checklist:
            if item.code == code:
                return item
        raise InvalidRequest(f"item {code!r} is not on this operation's checklist", field="item")

    @property
    def complete(self) -> bool:
        """Every checklist item has a finding."""
        return {f.item_code for f in self.findings} == {i.code for i in self.checklist}


def combined_checklist(departments: Sequence[str],
                       checklists: Mapping[str, Sequence[ChecklistItem]]) -> tuple[ChecklistItem, ...]:
    """Every department's items in one list, department by department."""
    missing = [d for d in departments if not checklists.get(d)]
    if missing:
        raise InvalidRequest(f"no checklist is configured for {', '.join(missing)}", field="departments")
    return tuple(item for d in departments for item in checklists[d])


def plan(tenant: str, target_id: str, target_name: str, location: GeoPoint, round_: str,
         members: dict[str, str], checklist: tuple[ChecklistItem, ...], now: datetime) -> JointOperation:
    """A joint operation with one officer per department."""
    return JointOperation(uuid4(), tenant, target_id, target_name, location, round_, dict(members), checklist,
                          (), now)


def record_finding(op: JointOperation, officer_id: str, item_code: str, compliant: bool, needs_enforcement: bool,
                   note: str | None, now: datetime) -> tuple[JointOperation, Finding, bool]:
    """Record a member's finding for an item of their department; returns (op, finding, is_new).

    Recording the same finding again is a no-op (a retry); a different one for the same item
    is refused, since the checklist is evidence.
    """
    if officer_id not in op.members.values():
        raise Forbidden(f"you are not a member of joint operation {op.id}")
    item = op.item(item_code)
    if op.members.get(item.department) != officer_id:
        raise Forbidden(f"item {item_code!r} belongs to {item.department}, not your department")
    if needs_enforcement and compliant:
        raise InvalidRequest("a compliant finding cannot need enforcement", field="needs_enforcement")
    for earlier in op.findings:
        if earlier.item_code == item_code:
            if (earlier.compliant, earlier.needs_enforcement, earlier.note) == (compliant, needs_enforcement, note):
                return op, earlier, False
            raise Conflict(f"item {item_code!r} already has a different finding")
    finding = Finding(item_code, officer_id, compliant, needs_enforcement, note, now)
    return replace(op, findings=(*op.findings, finding)), finding, True
