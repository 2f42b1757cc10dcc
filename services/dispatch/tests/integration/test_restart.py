"""A deadline lives in the database: one that passes while dispatch is down fires once after the restart.

In a module of its own: a dispatch started here must be the only member of its consumer group.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from oneteam_devstack.testing import Infra
from oneteam_dispatch.main import build

from .conftest import COMMANDER, Area, add_officer, assignment_of, dispatch_settings, served
from .conftest import report_incident as report
from .test_deadlines import events_of, until

pytestmark = pytest.mark.integration


async def test_a_deadline_that_passed_while_dispatch_was_down_fires_once_after_the_restart(
    infra: Infra, config_dir: Path, producer: Any, area: Area, ids: Any,
) -> None:
    settings = dispatch_settings(infra, config_dir)
    async with served(build(settings)) as before:
        await add_officer(before, ids("alone"), area.at(100))
        incident_id = await report(producer, area.at(), category="noise")
        order = await assignment_of(before, incident_id)
    await asyncio.sleep(2.5)  # the acknowledge deadline passes with no replica running

    async with served(build(settings)) as after:
        async def escalated() -> bool:
            current = (await after.get(f"/v1/assignments/{order['id']}", headers=COMMANDER)).json()
            return "acknowledge" in current["escalated"]

        await until(escalated)
        queue = (await after.get("/v1/queue", headers=COMMANDER)).json()

    events = await events_of(infra, incident_id)
    acknowledge_breaches = [e for e in events
                            if e["type"] == "assignment.sla_breached" and e["data"]["stage"] == "acknowledge"]
    assert len(acknowledge_breaches) == 1
    assert any(row["incident_id"] == incident_id for row in queue)  # nobody else to send: the command centre
