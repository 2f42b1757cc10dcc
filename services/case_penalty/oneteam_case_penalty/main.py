"""Case-penalty's wiring: `uvicorn oneteam_case_penalty.main:app`, or `python -m oneteam_case_penalty.main migrate`."""

import asyncio
import sys

from fastapi import FastAPI

from oneteam_case_penalty.api import routers
from oneteam_case_penalty.handlers import subscriptions
from oneteam_case_penalty.runtime import MIGRATIONS, CaseRuntime
from oneteam_case_penalty.settings import CasePenaltySettings
from oneteam_case_penalty.steps import on_deadline
from oneteam_servicekit import create_app
from oneteam_servicekit.clock import Clock, SystemClock
from oneteam_servicekit.migrations import upgrade


def build(settings: CasePenaltySettings | None = None, clock: Clock | None = None) -> FastAPI:
    """The case-penalty app for `settings` (default: from the environment) and `clock` (default: real time)."""
    settings = settings or CasePenaltySettings()
    runtime = CaseRuntime(settings, MIGRATIONS, clock=clock or SystemClock(), on_deadline=on_deadline)
    if settings.consume_handoffs:
        runtime.subscriptions = subscriptions(runtime)
    return create_app(runtime, title="OneTeam case-penalty", routers=routers,
                      description="为 · 综合罚一次 — cases under the Administrative Penalty Law, the no-penalty "
                                  "rules with reasons, one fine per act.")


app = build()

if __name__ == "__main__" and sys.argv[1:] == ["migrate"]:
    asyncio.run(upgrade(MIGRATIONS, CasePenaltySettings().database_url))
