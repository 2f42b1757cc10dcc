"""The console's wiring: `uvicorn oneteam_console.main:app` serves the API and the built page."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from oneteam_console.api import routers
from oneteam_console.runtime import ConsoleRuntime
from oneteam_console.settings import ConsoleSettings
from oneteam_servicekit import Unavailable, create_app

MIGRATIONS = Path(__file__).parent / "migrations"  # none: the console keeps no tables


def build(settings: ConsoleSettings | None = None) -> FastAPI:
    """The console app for `settings` (default: from the environment)."""
    settings = settings or ConsoleSettings()
    runtime = ConsoleRuntime(settings, MIGRATIONS)
    app = create_app(runtime, title="OneTeam console", routers=routers,
                     description="一屏显示 — the command centre's live screen: map, queue, 1-3-5-8 clocks, "
                                 "figures, and the commander's hand, from the other services' APIs.")
    # One line per upstream call each refresh would drown the console's own log.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    static = Path(settings.static_dir)

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        index = static / "index.html"
        if not index.exists():
            raise Unavailable(f"the page is not built ({index}); run `make console-web`")
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    # Hashed file names: the browser may keep them for good; index.html above is always asked again.
    app.mount("/assets", StaticFiles(directory=static / "assets", check_dir=False), name="assets")
    return app


app = build()
