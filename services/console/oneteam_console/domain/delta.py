"""What changed between two pictures: the one batch a refresh pushes to the page.

With 5 000 officers on the map, sending the whole picture every second would cost the page a
full redraw each time; a batch names only the officers and incidents that moved or changed,
and the ones that left, so the page touches only those.
"""

from __future__ import annotations

from typing import Any

from oneteam_console.domain.picture import Picture

Row = dict[str, Any]


def _changed(before: dict[str, Row], after: dict[str, Row]) -> tuple[list[Row], list[str]]:
    upserts = [row for key, row in after.items() if before.get(key) != row]
    removed = sorted(before.keys() - after.keys())
    return upserts, removed


def delta(before: Picture, after: Picture) -> Row | None:
    """The batch that turns `before` into `after` on the page, or None when nothing changed."""
    incidents, gone_incidents = _changed(before.incidents, after.incidents)
    officers, gone_officers = _changed(before.officers, after.officers)
    batch: Row = {"at": after.at.isoformat()}
    if incidents or gone_incidents:
        batch["incidents"] = {"upsert": incidents, "remove": gone_incidents}
    if officers or gone_officers:
        batch["officers"] = {"upsert": officers, "remove": gone_officers}
    # Lists the page shows whole and short (the queue, the clocks): sent whole when they differ.
    for name in ("queue", "clocks", "alerts"):
        if getattr(before, name) != getattr(after, name):
            batch[name] = getattr(after, name)
    return batch if len(batch) > 1 else None
