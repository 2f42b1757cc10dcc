"""Intake's wiring: `uvicorn oneteam_intake.main:app`, or `python -m oneteam_intake.main migrate`."""

import asyncio
import sys
from pathlib import Path

from fastapi import FastAPI

from oneteam_intake.api import detections, imports, inbound, incidents, open311, reopen, reports, triage
from oneteam_intake.config import load_areas, load_catalog
from oneteam_intake.domain.ratelimit import TokenBuckets
from oneteam_intake.handlers import subscriptions
from oneteam_intake.photos import LocalPhotoStorage
from oneteam_intake.service import Intake
from oneteam_intake.settings import IntakeSettings
from oneteam_intake.submissions import ReportBatcher
from oneteam_servicekit import Runtime, create_app
from oneteam_servicekit.clock import Clock, SystemClock
from oneteam_servicekit.migrations import upgrade

MIGRATIONS = Path(__file__).parent / "migrations"
ROUTERS = [reports.router, detections.router, inbound.router, imports.router, open311.router,
           triage.router, incidents.router, reopen.router]


def build(settings: IntakeSettings | None = None, clock: Clock | None = None) -> FastAPI:
    """The intake app for `settings` (default: from the environment); bad config fails here."""
    settings = settings or IntakeSettings()
    intake = Intake(
        settings=settings,
        catalog=load_catalog(settings.catalog_path()),
        areas=load_areas(settings.tenants_dir()),
        photos=LocalPhotoStorage(settings.photos_dir),
        clock=clock or SystemClock(),
        limits=TokenBuckets(settings.public_burst, settings.public_per_second),
    )
    runtime = Runtime(settings, MIGRATIONS, subscriptions=subscriptions(intake))
    app = create_app(runtime, title="OneTeam intake", routers=ROUTERS,
                     description="呼 — every source of reports in, one clean incident out.")
    app.state.intake = intake
    app.state.report_batcher = ReportBatcher(runtime.transaction, intake, reports.submitted(intake))
    return app


app = build()

if __name__ == "__main__" and sys.argv[1:] == ["migrate"]:
    asyncio.run(upgrade(MIGRATIONS, IntakeSettings().database_url))
