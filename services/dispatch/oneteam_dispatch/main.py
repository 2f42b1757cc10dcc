"""Dispatch's wiring: `uvicorn oneteam_dispatch.main:app`, or `python -m oneteam_dispatch.main migrate`."""

import asyncio
import sys
from dataclasses import replace
from pathlib import Path

from fastapi import FastAPI

from oneteam_dispatch.api import routers
from oneteam_dispatch.handlers import SUBSCRIPTIONS
from oneteam_dispatch.roster import load_roster
from oneteam_dispatch.runtime import DispatchRuntime
from oneteam_dispatch.settings import DispatchSettings
from oneteam_servicekit import create_app
from oneteam_servicekit.clock import Clock, SystemClock
from oneteam_servicekit.migrations import upgrade

MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: DispatchSettings | None = None, clock: Clock | None = None) -> FastAPI:
    """The dispatch app for `settings` (default: from the environment) and `clock` (default: real time)."""
    settings = settings or DispatchSettings()
    subscriptions = [replace(s, group=s.group + settings.consumer_group_suffix) for s in SUBSCRIPTIONS]
    runtime = DispatchRuntime(settings, MIGRATIONS, subscriptions=subscriptions if settings.consume_incidents else [],
                              on_start=[load_roster], clock=clock or SystemClock())
    return create_app(runtime, title="OneTeam dispatch", routers=routers,
                      description="应 — the best officer for every incident, on the 1-3-5-8 clock.")


app = build()

if __name__ == "__main__" and sys.argv[1:] == ["migrate"]:
    asyncio.run(upgrade(MIGRATIONS, DispatchSettings().database_url))
