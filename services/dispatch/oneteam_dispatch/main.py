"""Dispatch's wiring: `uvicorn oneteam_dispatch.main:app`, or `python -m oneteam_dispatch.main migrate`."""

import asyncio
import sys
from pathlib import Path

from fastapi import FastAPI

from oneteam_dispatch.api import router
from oneteam_dispatch.handlers import SUBSCRIPTIONS
from oneteam_dispatch.roster import load_roster
from oneteam_dispatch.settings import DispatchSettings
from oneteam_servicekit import Runtime, create_app
from oneteam_servicekit.migrations import upgrade

MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: DispatchSettings | None = None) -> FastAPI:
    """The dispatch app for `settings` (default: from the environment)."""
    runtime = Runtime(settings or DispatchSettings(), MIGRATIONS, subscriptions=SUBSCRIPTIONS,
                      on_start=[load_roster])
    return create_app(runtime, title="OneTeam dispatch", routers=[router],
                      description="应 — the best officer for every incident, on the 1-3-5-8 clock.")


app = build()

if __name__ == "__main__" and sys.argv[1:] == ["migrate"]:
    asyncio.run(upgrade(MIGRATIONS, DispatchSettings().database_url))
