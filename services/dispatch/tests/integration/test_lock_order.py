"""The deadline scheduler never waits behind an officer acting on the same order (no deadlock).

In a module of its own: its dispatch runs no background loops, so the test drives the
matcher and the scheduler by hand, and must be the only member of its consumer group.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from oneteam_devstack.testing import Infra
from oneteam_dispatch import lifecycle
from oneteam_dispatch.main import build
from oneteam_dispatch.runtime import DispatchRuntime

from .conftest import COMMANDER, Area, add_officer, dispatch_settings, served
from .conftest import report_incident as report

pytestmark = pytest.mark.integration


async def test_a_due_deadline_of_an_order_being_acknowledged_is_left_for_the_next_poll(
    infra: Infra, config_dir: Path, producer: Any, area: Area, ids: Any,
) -> None:
    app = build(dispatch_settings(infra, config_dir, background=False))
    async with served(app) as client:
        runtime: DispatchRuntime = app.state.runtime
        assert runtime.matcher is not None and runtime.scheduler is not None
        await add_officer(client, ids("slow"), area.at(100))
        incident_id = await report(producer, area.at(), category="noise")  # acknowledge within 1.8 s
        for _ in range(400):  # the consumer group may take many seconds to join
            await runtime.matcher.run_once()
            found = (await client.get("/v1/assignments", params={"incident_id": incident_id},
                                      headers=COMMANDER)).json()
            if found:
                break
            await asyncio.sleep(0.1)
        order = found[0]
        await asyncio.sleep(2.5)  # the acknowledge deadline is due

        async with runtime.transaction() as officer_request:  # the officer's acknowledge, mid-flight
            await lifecycle.load_for_update(officer_request, order["id"], None)
            skipped = await asyncio.wait_for(runtime.scheduler.run_once(), 3)
        fired = await asyncio.wait_for(runtime.scheduler.run_once(), 3)

    assert skipped == 0
    assert fired >= 1
