"""The console's runtime: no database and no broker of its own, only the other services' APIs."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from oneteam_console.areas import Areas
from oneteam_console.domain.picture import Picture
from oneteam_console.reading import read_picture
from oneteam_console.settings import ConsoleSettings
from oneteam_console.shared import SharedPictures
from oneteam_console.upstream import Missing, Upstream
from oneteam_console.wakeup import Wakeup
from oneteam_servicekit import Runtime


@dataclass
class ConsoleRuntime(Runtime):
    """The kit's runtime shape, holding the upstream client, the tenants' areas and the alerts seen."""

    # The console owns one thing: which alerts a commander has acknowledged on the screen, per
    # tenant. It lives in this process (a restart shows them again, which errs on the safe side).
    acknowledged: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Deliberately not the kit's: the console has no database, outbox or consumer to start.
        self.upstream = Upstream(self.console_settings)
        self.areas = Areas(self.console_settings.areas_dir)
        settings = self.console_settings
        self.wakeup = Wakeup(settings.kafka() if settings.wake_on_events else None)
        self.pictures = SharedPictures(self._read_picture, self.wakeup, settings.refresh_s, settings.batch_s)

    async def _read_picture(self, token: str, tenant: str, now: datetime) -> Picture:
        return await read_picture(self.upstream, self.console_settings.timezone, token, tenant, now)

    @property
    def console_settings(self) -> ConsoleSettings:
        """The settings, typed as the console's."""
        assert isinstance(self.settings, ConsoleSettings)
        return self.settings

    async def start(self) -> None:
        """Load the areas (a bad GeoJSON file stops start-up naming it), then listen for events."""
        self.areas.load()
        self.wakeup.start()

    async def stop(self) -> None:
        """Stop the tenants' pictures and listening, close the HTTP pool."""
        await self.pictures.stop()
        await self.wakeup.stop()
        await self.upstream.close()

    async def readiness(self) -> dict[str, str]:
        """'ok' when dispatch and intake answer; the optional services are reported, not required."""
        checks: dict[str, str] = {}

        async def probe(service: str) -> None:
            base = self.upstream.base(service)
            if base is None:
                checks[service] = "ok"  # not part of this deployment
                return
            try:
                answer = await self.upstream.client.get(base + "/healthz")
                checks[service] = "ok" if answer.status_code == 200 else f"answered {answer.status_code}"
            except Exception as error:
                checks[service] = f"unreachable: {type(error).__name__}"

        await asyncio.gather(probe("intake"), probe("dispatch"))
        return checks


__all__ = ["ConsoleRuntime", "Missing"]
