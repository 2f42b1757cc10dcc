"""A roster re-applied at start-up refreshes who officers are, never what they are doing.

In a module of its own: a dispatch started here must be the only member of its consumer group.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from oneteam_devstack.testing import Infra
from oneteam_dispatch.main import build

from .conftest import ADMIN, TENANT, Area, as_officer, assignment_of, dispatch_settings, move, served
from .conftest import report_incident as report

pytestmark = pytest.mark.integration


def _write_roster(path: Path, officers: list[dict[str, Any]]) -> None:
    path.write_text(yaml.safe_dump({"tenant": TENANT, "officers": officers}, allow_unicode=True), encoding="utf-8")


async def test_an_officer_with_an_open_order_stays_busy_where_they_are_after_a_restart(
    infra: Infra, config_dir: Path, producer: Any, area: Area, ids: Any, tmp_path: Path,
) -> None:
    busy, newcomer = ids("busy"), ids("newcomer")
    entry = {"id": busy, "name": "队员 甲", "skills": ["street_order"], "status": "available",
             "position": area.at(100)}
    roster = tmp_path / "officers.yaml"
    _write_roster(roster, [entry])
    settings = dispatch_settings(infra, config_dir, roster_file=str(roster))

    async with served(build(settings)) as before:
        await move(before, busy, area.at(100))
        order = await assignment_of(before, await report(producer, area.at()))
        acknowledged = await before.post(f"/v1/assignments/{order['id']}/acknowledge", headers=as_officer(busy))
        assert acknowledged.status_code == 200, acknowledged.text
        await move(before, busy, area.at(40))

    # The roster changes the officer's name and skills and adds a colleague; the restart re-applies it.
    _write_roster(roster, [{**entry, "name": "队员 甲（改）", "skills": ["street_order", "noise"]},
                           {**entry, "id": newcomer, "name": "队员 乙", "position": area.at(300)}])
    async with served(build(settings)) as after:
        officer = (await after.get(f"/v1/officers/{busy}", headers=as_officer(busy))).json()
        colleague = (await after.get(f"/v1/officers/{newcomer}", headers=as_officer(newcomer))).json()
        # An administrator editing the registry entry does not free the officer either.
        edited = await after.put(f"/v1/officers/{busy}", headers=ADMIN, json={
            "tenant": TENANT, "name": "队员 甲", "skills": ["street_order"], "status": "available",
            "position": area.at(900)})

    assert officer["status"] == "en_route" and officer["active_orders"] == 1
    assert officer["position"]["lon"] == pytest.approx(area.at(40)["lon"])
    assert officer["name"] == "队员 甲（改）" and officer["skills"] == ["noise", "street_order"]
    assert edited.status_code == 200 and edited.json()["status"] == "en_route" and edited.json()["name"] == "队员 甲"
    assert colleague["status"] == "available" and colleague["position"]["lon"] == pytest.approx(area.at(300)["lon"])
