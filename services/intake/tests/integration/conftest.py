"""Intake running in-process against the session's real PostgreSQL and broker."""

from collections.abc import AsyncIterator

import httpx
import pytest

from oneteam_devstack.testing import Infra, serve, service_settings
from oneteam_intake.main import build
from oneteam_intake.settings import IntakeSettings


@pytest.fixture(scope="module")
async def intake(infra: Infra) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for an intake started for this test module, with its own empty database."""
    async with serve(build(IntakeSettings(**service_settings(infra, "intake")))) as client:
        yield client
