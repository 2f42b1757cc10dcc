"""Mediation's wiring: `uvicorn oneteam_mediation.main:app`, or `python -m oneteam_mediation.main migrate`."""

import asyncio
import sys

from fastapi import FastAPI

from oneteam_mediation.api import routers
from oneteam_mediation.deadlines import on_deadline
from oneteam_mediation.handlers import subscriptions
from oneteam_mediation.runtime import MIGRATIONS, MediationRuntime
from oneteam_mediation.settings import MediationSettings
from oneteam_servicekit import create_app
from oneteam_servicekit.clock import Clock, SystemClock
from oneteam_servicekit.migrations import upgrade


def build(settings: MediationSettings | None = None, clock: Clock | None = None) -> FastAPI:
    """The mediation app for `settings` (default: from the environment) and `clock` (default: real time)."""
    settings = settings or MediationSettings()
    runtime = MediationRuntime(settings, MIGRATIONS, clock=clock or SystemClock(), on_deadline=on_deadline)
    if settings.consume_handoffs:
        runtime.subscriptions = subscriptions(runtime)
    return create_app(runtime, title="OneTeam mediation", routers=routers,
                      description="为 · 阳光调解室 — disputes settled at the source: consent, mediators and rooms, "
                                  "sessions, agreements followed up, failures handed to a penalty case.")


app = build()

if __name__ == "__main__" and sys.argv[1:] == ["migrate"]:
    asyncio.run(upgrade(MIGRATIONS, MediationSettings().database_url))
