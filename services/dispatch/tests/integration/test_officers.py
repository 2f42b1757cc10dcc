"""Officers over HTTP: the registry, position batches (stale, GCJ-02, resent), the list, joint operations."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from oneteam_devstack.testing import Infra
from oneteam_dispatch.main import build

from .conftest import (
    ADMIN,
    COMMANDER,
    TENANT,
    Area,
    add_officer,
    as_officer,
    dispatch_settings,
    event_data,
    read_events,
    served,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def dispatch(infra: Infra, config_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    """Dispatch without the incident consumer: nothing here comes from Kafka, so no group is joined."""
    async with served(build(dispatch_settings(infra, config_dir, consume_incidents=False))) as client:
        yield client


def fix(at: dict[str, float], seconds_ago: float = 0, **extra: Any) -> dict[str, Any]:
    return {**at, "recorded_at": (datetime.now(UTC) - timedelta(seconds=seconds_ago)).isoformat(), **extra}


async def test_a_batch_of_fixes_moves_the_officer_to_the_newest_and_a_resend_stores_nothing(
    dispatch: httpx.AsyncClient, infra: Infra, area: Area, ids: Any,
) -> None:
    officer = ids("gps")
    await add_officer(dispatch, officer, area.at(), fix=False)
    batch = {"fixes": [fix(area.at(30), 20), fix(area.at(90), 0), fix(area.at(60), 10, source="body_camera")]}

    first = await dispatch.post(f"/v1/officers/{officer}/positions", json=batch, headers=as_officer(officer))
    again = await dispatch.post(f"/v1/officers/{officer}/positions", json=batch, headers=as_officer(officer))

    assert first.status_code == again.status_code == 200
    assert first.json()["stored"] == 3 and again.json()["stored"] == 0
    assert first.json()["position"]["lon"] == pytest.approx(area.at(90)["lon"])
    assert not first.json()["position_stale"]
    track = (await dispatch.get(f"/v1/officers/{officer}/track", headers=COMMANDER)).json()
    assert [row["source"] for row in track] == ["terminal", "body_camera", "terminal"]
    published = await read_events(infra, "oneteam.officer-positions", 1,
                                 lambda r: r.key == officer.encode())
    assert event_data(published[0])["data"]["position"]["lon"] == pytest.approx(area.at(90)["lon"])


async def test_a_registry_position_without_a_fix_is_stale(dispatch: httpx.AsyncClient, area: Area, ids: Any) -> None:
    officer = await add_officer(dispatch, ids("old"), area.at(), fix=False)

    assert officer["position_stale"] is True


async def test_gcj02_fixes_are_stored_as_wgs84(dispatch: httpx.AsyncClient, ids: Any) -> None:
    officer = ids("amap")
    await add_officer(dispatch, officer, {"lon": 120.12, "lat": 30.28}, fix=False)

    moved = await dispatch.post(f"/v1/officers/{officer}/positions", headers=as_officer(officer),
                                json={"fixes": [fix({"lon": 120.1297, "lat": 30.2873}, crs="gcj02")]})

    assert moved.json()["position"]["crs"] == "wgs84"
    assert 0.003 < 120.1297 - moved.json()["position"]["lon"] < 0.006


@pytest.mark.parametrize(("change", "field"), [
    ({"lat": 95}, "fixes.0.lat"),
    ({"crs": "bd09"}, "fixes.0.crs"),
    ({"recorded_at": "yesterday"}, "fixes.0.recorded_at"),
    ({"recorded_at": "2031-01-01T00:00:00+00:00"}, "fixes.0.recorded_at"),
])
async def test_a_bad_fix_is_refused_naming_the_field(
    dispatch: httpx.AsyncClient, area: Area, ids: Any, change: dict[str, Any], field: str,
) -> None:
    officer = ids("bad")
    await add_officer(dispatch, officer, area.at(), fix=False)

    refused = await dispatch.post(f"/v1/officers/{officer}/positions", headers=as_officer(officer),
                                  json={"fixes": [fix(area.at()) | change]})

    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    body = refused.json()
    assert field in [e["field"] for e in body.get("errors", [])] or body.get("field") == field


async def test_an_officer_cannot_report_someone_elses_position(
    dispatch: httpx.AsyncClient, area: Area, ids: Any,
) -> None:
    await add_officer(dispatch, ids("victim"), area.at(), fix=False)

    refused = await dispatch.post(f"/v1/officers/{ids('victim')}/positions", headers=as_officer(ids("spoofer")),
                                  json={"fixes": [fix(area.at())]})

    assert refused.status_code == 403


async def test_only_admins_register_officers(dispatch: httpx.AsyncClient, area: Area, ids: Any) -> None:
    body = {"tenant": TENANT, "name": "x", "position": area.at()}

    assert (await dispatch.put(f"/v1/officers/{ids('x')}", json=body, headers=COMMANDER)).status_code == 403
    assert (await dispatch.put(f"/v1/officers/{ids('x')}", json=body | {"mode": "jetpack"},
                               headers=ADMIN)).status_code == 422


async def test_the_list_is_looked_up_edited_with_history_and_refuses_a_bad_entry(dispatch: httpx.AsyncClient) -> None:
    base = f"/v1/tenants/{TENANT}/responsibilities"
    current = (await dispatch.get(base, headers=COMMANDER)).json()
    entries = [e for e in current["entries"] if e["category"] != "noise"]
    entries.append({"category": "noise", "team_type": "management_brigade",
                    "department": "comprehensive_enforcement",
                    "handling": "mediation", "legal_basis": "噪声污染防治法", "power_held": True,
                    "sla_profile": "1358"})

    edited = await dispatch.put(base, headers=ADMIN, json={"sla_profiles": current["sla_profiles"],
                                                           "entries": entries, "note": "noise is mediated"})
    not_admin = await dispatch.put(base, headers=COMMANDER, json={"sla_profiles": current["sla_profiles"],
                                                                  "entries": entries})
    bad = await dispatch.put(base, headers=ADMIN, json={"sla_profiles": current["sla_profiles"],
                                                        "entries": [entries[0] | {"sla_profile": "never"}]})

    assert edited.status_code == 200 and edited.json()["version"] == current["version"] + 1
    assert not_admin.status_code == 403
    assert bad.status_code == 422 and "never" in bad.json()["detail"]
    looked_up = (await dispatch.get(f"{base}/noise", headers=COMMANDER)).json()
    assert looked_up["handling"] == "mediation" and looked_up["version"] == edited.json()["version"]
    assert (await dispatch.get(f"{base}/alien_landing", headers=COMMANDER)).status_code == 404
    history = (await dispatch.get(f"/v1/tenants/{TENANT}/responsibilities-history", headers=COMMANDER)).json()
    assert [h["version"] for h in history][:2] == [edited.json()["version"], current["version"]]
    assert history[0]["note"] == "noise is mediated" and history[0]["author"].startswith("test-")


async def test_a_joint_inspection_sends_one_officer_per_department_once_per_round(
    dispatch: httpx.AsyncClient, infra: Infra, area: Area, ids: Any,
) -> None:
    await add_officer(dispatch, ids("mr"), area.at(100), department="market_regulation", skills=[])
    await add_officer(dispatch, ids("em"), area.at(-100), department="emergency_management", skills=[])
    plan = {"tenant": TENANT, "target_id": ids("shop"), "target_name": "面馆", "location": area.at(),
            "round": "2026-Q4", "departments": ["market_regulation", "emergency_management"]}

    planned = await dispatch.post("/v1/joint-operations", json=plan, headers=COMMANDER)
    again = await dispatch.post("/v1/joint-operations", json=plan, headers=COMMANDER)

    assert planned.status_code == 201, planned.text
    op = planned.json()
    assert op["members"] == {"market_regulation": ids("mr"), "emergency_management": ids("em")}
    assert [i["code"] for i in op["checklist"]] == ["mr_licence", "mr_food_storage", "em_fire_exits", "em_gas"]
    assert again.status_code == 409

    url = f"/v1/joint-operations/{op['id']}/findings"
    finding = {"item": "em_fire_exits", "compliant": False, "needs_enforcement": True, "note": "安全出口被堵"}
    wrong = await dispatch.post(url, json=finding, headers=as_officer(ids("mr")))
    recorded = await dispatch.post(url, json=finding, headers=as_officer(ids("em")))
    assert wrong.status_code == 403 and recorded.status_code == 200
    case = await read_events(infra, "oneteam.handoffs", 1,
                            lambda r: json.loads(r.value)["data"].get("operation_id") == op["id"])
    assert event_data(case[0])["data"]["department"] == "emergency_management"

    listed = await dispatch.get("/v1/joint-operations", params={"tenant": TENANT}, headers=COMMANDER)
    assert listed.status_code == 200, listed.text
    mine = [o for o in listed.json() if o["id"] == op["id"]]
    assert len(mine) == 1 and mine[0]["findings"][0]["item_code"] == "em_fire_exits"
    assert (await dispatch.get("/v1/joint-operations", params={"tenant": "330106005"},
                               headers=COMMANDER)).status_code == 403
    assert (await dispatch.get("/v1/joint-operations", params={"tenant": TENANT},
                               headers=as_officer(ids("em")))).status_code == 403
