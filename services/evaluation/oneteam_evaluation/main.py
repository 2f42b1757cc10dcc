"""Evaluation's wiring: `uvicorn oneteam_evaluation.main:app`; `python -m oneteam_evaluation.main migrate|rebuild`."""

import asyncio
import logging
import sys

from fastapi import FastAPI

from oneteam_evaluation import alerts, archive, settling
from oneteam_evaluation.api import routers
from oneteam_evaluation.rebuild import rebuild
from oneteam_evaluation.runtime import MIGRATIONS, EvaluationRuntime
from oneteam_evaluation.settings import EvaluationSettings
from oneteam_servicekit import create_app
from oneteam_servicekit.clock import Clock, SystemClock
from oneteam_servicekit.migrations import upgrade


def build(settings: EvaluationSettings | None = None, clock: Clock | None = None) -> FastAPI:
    """The evaluation app for `settings` (default: from the environment) and `clock` (default: real time)."""
    settings = settings or EvaluationSettings()
    runtime = EvaluationRuntime(settings, MIGRATIONS, clock=clock or SystemClock())
    if settings.alerts:
        runtime.background.append(lambda: alerts.watch(runtime))
    if settings.reports:
        runtime.background.append(lambda: archive.watch(runtime))
    if settings.settle:
        runtime.background.append(lambda: settling.watch(runtime))
    return create_app(runtime, title="OneTeam evaluation", routers=routers,
                      description="效能评价 — 1-3-5-8, rapid response, front-line resolution, on-time closure, "
                                  "satisfaction and more, measured from the event stream; each figure explained.")


app = build()

if __name__ == "__main__":
    command = sys.argv[1:]
    if command == ["migrate"]:
        asyncio.run(upgrade(MIGRATIONS, EvaluationSettings().database_url))
    elif command == ["rebuild"]:
        logging.basicConfig(level=logging.INFO)
        done = asyncio.run(rebuild(EvaluationSettings()))
        print(f"read model rebuilt: generation {done.generation}, {done.events} events applied")
    else:
        sys.exit("usage: python -m oneteam_evaluation.main migrate|rebuild")
