"""Intake's wiring: `uvicorn oneteam_intake.main:app`, or `python -m oneteam_intake.main migrate`."""

import asyncio
import sys
from pathlib import Path

from fastapi import FastAPI

from oneteam_intake.api import router
from oneteam_intake.handlers import SUBSCRIPTIONS
from oneteam_intake.settings import IntakeSettings
from oneteam_servicekit import Runtime, create_app
from oneteam_servicekit.migrations import upgrade

MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: IntakeSettings | None = None) -> FastAPI:
    """The intake app for `settings` (default: from the environment)."""
    runtime = Runtime(settings or IntakeSettings(), MIGRATIONS, subscriptions=SUBSCRIPTIONS)
    return create_app(runtime, title="OneTeam intake", routers=[router],
                      description="呼 — every source of reports in, one clean incident out.")


app = build()

if __name__ == "__main__" and sys.argv[1:] == ["migrate"]:
    asyncio.run(upgrade(MIGRATIONS, IntakeSettings().database_url))
