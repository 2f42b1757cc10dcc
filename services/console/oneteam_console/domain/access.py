"""What each role may see and do on the screen; the page draws only these, the services check again."""

from __future__ import annotations

from collections.abc import Iterable

# Dispatch's board, queue and orders are the commander's (and the platform admin's); evaluation's
# figures are for every reader of the tenant; cases for department heads and auditors
# (the procuratorate's review); mediations for commanders and department heads.
_PANELS = {
    "commander": {"map", "queue", "clocks", "figures", "cases", "mediations", "timeline"},
    "admin": {"map", "queue", "clocks", "figures", "cases", "mediations", "timeline"},
    "department_head": {"figures", "cases", "mediations"},
    "auditor": {"figures", "cases"},
}
_ACTIONS = {"commander": {"assign", "override", "acknowledge_alert"},
            "admin": {"assign", "override", "acknowledge_alert"}}


def panels(roles: Iterable[str]) -> frozenset[str]:
    """The panels a caller with `roles` sees."""
    return frozenset().union(*(_PANELS.get(r, set()) for r in roles))


def actions(roles: Iterable[str]) -> frozenset[str]:
    """The actions a caller with `roles` may take from the screen."""
    return frozenset().union(*(_ACTIONS.get(r, set()) for r in roles))
