"""Loading a roster file of officers at start-up (the demo tenant's, or a real one)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from oneteam_dispatch import config
from oneteam_dispatch.settings import DispatchSettings
from oneteam_dispatch.store import officers as officer_store
from oneteam_servicekit import Runtime


async def load_roster(runtime: Runtime) -> None:
    """Create new officers and refresh known officers' static data; a bad entry stops start-up, named."""
    settings = runtime.settings
    if not isinstance(settings, DispatchSettings) or not settings.roster_file:
        return
    path = Path(settings.roster_file)
    try:
        officers = await asyncio.to_thread(config.load_roster, path)
    except config.ConfigError as error:
        raise SystemExit(f"roster {path}: {error}") from None
    async with runtime.transaction() as session:
        for officer in officers:
            await officer_store.upsert_officer(session, officer, live_state=False)
