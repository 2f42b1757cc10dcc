"""The other services' HTTP APIs, called with the signed-in user's own token.

Calling with the user's token means every service applies its own role and tenant checks to
what the screen shows: the console needs no rights of its own and can leak nothing the user
could not read directly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx

from oneteam_console.settings import ConsoleSettings
from oneteam_servicekit import Unavailable

log = logging.getLogger(__name__)


class Missing(Exception):
    """A service that is not configured, down, or refuses this caller: its panel says "not available"."""


@dataclass
class Upstream:
    """One pooled HTTP client for every service the console reads."""

    settings: ConsoleSettings

    def __post_init__(self) -> None:
        self.client = httpx.AsyncClient(timeout=self.settings.upstream_timeout_s)

    def base(self, service: str) -> str | None:
        """The service's base URL, or None when this deployment has none."""
        url: str | None = getattr(self.settings, f"{service}_url")
        return url.rstrip("/") if url else None

    async def get(self, service: str, path: str, token: str, **params: Any) -> Any:
        """GET a JSON answer; Missing when the service is absent, down or says no."""
        base = self.base(service)
        if base is None:
            raise Missing(f"{service} is not configured")
        try:
            answer = await self.client.get(base + path, params={k: v for k, v in params.items() if v is not None},
                                           headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as error:
            raise Missing(f"{service} unreachable: {type(error).__name__}") from error
        if answer.status_code >= 400:
            raise Missing(f"{service} answered {answer.status_code} to {path}")
        return answer.json()

    async def send(self, service: str, path: str, token: str, body: dict[str, Any]) -> httpx.Response:
        """POST on the user's behalf; the service's answer (and its problem+json) is returned as it is."""
        base = self.base(service)
        if base is None:
            raise Unavailable(f"{service} is not configured")
        try:
            return await self.client.post(base + path, json=body, headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as error:
            raise Unavailable(f"{service} unreachable: {type(error).__name__}") from error

    async def close(self) -> None:
        """Close the pool."""
        await self.client.aclose()
