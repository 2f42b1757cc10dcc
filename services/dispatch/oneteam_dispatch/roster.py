"""Loading a roster file of officers at start-up (the demo tenant's, or a real one)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from oneteam_dispatch import store
from oneteam_dispatch.api import OfficerIn
from oneteam_dispatch.domain.officers import Officer
from oneteam_dispatch.settings import DispatchSettings
from oneteam_servicekit import Runtime


class RosterEntry(OfficerIn):
    """One line of a roster file: an officer with their id."""

    id: str


async def load_roster(runtime: Runtime) -> None:
    """Upsert every officer of the configured roster file; a bad entry stops start-up, named."""
    settings = runtime.settings
    if not isinstance(settings, DispatchSettings) or not settings.roster_file:
        return
    path = Path(settings.roster_file)
    try:
        text = await asyncio.to_thread(path.read_text)
        entries = TypeAdapter(list[RosterEntry]).validate_python(json.loads(text))
    except ValidationError as error:
        raise SystemExit(f"roster {path}: {error}") from None
    async with runtime.transaction() as session:
        for e in entries:
            officer = Officer(id=e.id, tenant=e.tenant, name=e.name, team=e.team, status=e.status,
                              position=e.position, last_assigned_at=None)
            await store.upsert_officer(session, officer, e.skills)
