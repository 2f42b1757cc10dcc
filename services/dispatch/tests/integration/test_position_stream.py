"""The officers' position stream (WebSocket): frames of fixes go into the same group commit as posts,
each answered after its commit; a bad frame gets the problem an HTTP answer would carry and the
socket stays open; a refused handshake is an HTTP 401/403/404; an expired token closes the socket."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from oneteam_devstack.testing import Infra
from oneteam_dispatch.main import build
from oneteam_servicekit import ServiceSettings
from oneteam_servicekit.auth import Role, issue_token

from .conftest import COMMANDER, TENANT, Area, add_officer, as_officer, dispatch_settings, served, token

pytestmark = pytest.mark.integration
PATH = "/v1/me/positions/stream"


def fix(at: dict[str, float], seconds_ago: float = 0, **extra: Any) -> dict[str, Any]:
    return {**at, "recorded_at": (datetime.now(UTC) - timedelta(seconds=seconds_ago)).isoformat(), **extra}


def socket(client: httpx.AsyncClient, headers: dict[str, str]) -> Any:
    """A WebSocket to the dispatch behind `client`, with `headers` on the handshake."""
    return connect(str(client.base_url).replace("http://", "ws://") + PATH, additional_headers=headers)


async def ask(ws: ClientConnection, frame: dict[str, Any] | str) -> dict[str, Any]:
    await ws.send(frame if isinstance(frame, str) else json.dumps(frame))
    answer: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 10))
    return answer


async def metric(client: httpx.AsyncClient, line: str) -> float:
    """A sample of dispatch's /metrics, by its name and labels (0 when absent)."""
    for row in (await client.get("/metrics")).text.splitlines():
        if row.startswith(line + " "):
            return float(row.rsplit(" ", 1)[1])
    return 0.0


async def test_frames_are_stored_answered_in_turn_and_a_resent_frame_stores_nothing_new(
    dispatch: httpx.AsyncClient, area: Area, ids: Any,
) -> None:
    officer = ids("streamer")
    await add_officer(dispatch, officer, area.at(), fix=False)
    first, second = fix(area.at(100), 20), fix(area.at(200), 10)

    async with socket(dispatch, as_officer(officer)) as ws:
        one = await ask(ws, {"seq": 1, "fixes": [first]})
        two = await ask(ws, {"seq": 2, "fixes": [second]})
        again = await ask(ws, {"seq": 3, "fixes": [first, second]})  # the app resends after a lost answer

    assert (one["seq"], one["stored"], one["officer_id"]) == (1, 1, officer)
    assert one["position"]["lon"] == pytest.approx(area.at(100)["lon"]) and not one["position_stale"]
    assert (two["seq"], two["stored"]) == (2, 1)
    assert (again["seq"], again["stored"]) == (3, 0)
    assert again["position"]["lon"] == pytest.approx(area.at(200)["lon"])
    seen = (await dispatch.get(f"/v1/officers/{officer}", headers=COMMANDER)).json()
    assert seen["position"]["lon"] == pytest.approx(area.at(200)["lon"])
    track = (await dispatch.get(f"/v1/officers/{officer}/track", headers=COMMANDER)).json()
    assert [row["lon"] for row in track] == [pytest.approx(area.at(m)["lon"]) for m in (100, 200)]


async def test_many_officers_streaming_at_once_all_get_their_answers(
    dispatch: httpx.AsyncClient, area: Area, ids: Any,
) -> None:
    officers = [ids(f"crowd{n}") for n in range(30)]
    await asyncio.gather(*(add_officer(dispatch, o, area.at(), fix=False) for o in officers))

    async def stream(n: int, officer: str) -> list[dict[str, Any]]:
        async with socket(dispatch, as_officer(officer)) as ws:
            return [await ask(ws, {"seq": s, "fixes": [fix(area.at(10 * n + s), 5 - s)]}) for s in range(3)]

    answers = await asyncio.gather(*(stream(n, o) for n, o in enumerate(officers)))

    for n, (officer, theirs) in enumerate(zip(officers, answers, strict=True)):
        assert [(a["seq"], a["stored"], a["officer_id"]) for a in theirs] == [(0, 1, officer), (1, 1, officer),
                                                                             (2, 1, officer)]
        assert theirs[-1]["position"]["lon"] == pytest.approx(area.at(10 * n + 2)["lon"])


async def test_a_bad_frame_is_answered_with_the_problem_and_the_socket_stays_open(
    dispatch: httpx.AsyncClient, area: Area, ids: Any,
) -> None:
    officer = ids("typo")
    await add_officer(dispatch, officer, area.at(), fix=False)

    refused_before = await metric(dispatch, 'oneteam_dispatch_position_frames_total{status="422"}')
    async with socket(dispatch, as_officer(officer)) as ws:
        open_now = await metric(dispatch, "oneteam_dispatch_position_streams")
        garbled = await ask(ws, '{"seq": 1, "fixes": [')
        off_the_map = await ask(ws, {"seq": 2, "fixes": [{**fix(area.at()), "lat": 91}]})
        no_seq = await ask(ws, {"fixes": [fix(area.at())]})
        future = await ask(ws, {"seq": 4, "fixes": [fix(area.at(), seconds_ago=-3600)]})
        unknown_field = await ask(ws, {"seq": 5, "fixes": [fix(area.at())], "speed": 3})
        huge = await ask(ws, json.dumps({"seq": 6, "fixes": [fix(area.at())] * 20, "pad": "x" * 1_100_000}))
        fine = await ask(ws, {"seq": 7, "fixes": [fix(area.at(30))]})

    assert garbled["seq"] is None and garbled["error"]["status"] == 422
    assert garbled["error"]["errors"][0]["field"] == "body" and "invalid JSON" in garbled["error"]["detail"]
    assert off_the_map["seq"] == 2 and off_the_map["error"]["status"] == 422
    assert [e["field"] for e in off_the_map["error"]["errors"]] == ["fixes.0.lat"]
    assert no_seq["seq"] is None and [e["field"] for e in no_seq["error"]["errors"]] == ["seq"]
    assert future["seq"] == 4 and future["error"]["status"] == 422 and "future" in future["error"]["detail"]
    assert unknown_field["seq"] == 5 and [e["field"] for e in unknown_field["error"]["errors"]] == ["speed"]
    assert huge["seq"] is None and huge["error"]["status"] == 413
    assert fine["seq"] == 7 and fine["stored"] == 1
    assert open_now >= 1
    assert await metric(dispatch, 'oneteam_dispatch_position_frames_total{status="422"}') - refused_before == 5
    track = (await dispatch.get(f"/v1/officers/{officer}/track", headers=COMMANDER)).json()
    assert [row["lon"] for row in track] == [pytest.approx(area.at(30)["lon"])]  # nothing refused was kept


@pytest.mark.parametrize(("who", "status", "says"), [
    ("nobody", 401, "bearer token is required"),
    ("citizen", 403, "requires one of the roles"),
    ("no officer id", 403, "officer_id"),
    ("not on the roster", 404, "does not exist"),
    ("other tenant", 403, "is not yours"),
])
async def test_a_refused_handshake_is_an_http_answer_naming_why(
    dispatch: httpx.AsyncClient, area: Area, ids: Any, who: str, status: int, says: str,
) -> None:
    officer = ids("knock")
    await add_officer(dispatch, officer, area.at(), fix=False)
    headers = {
        "nobody": {},
        "citizen": token([Role.CITIZEN], tenant=None),
        "no officer id": token([Role.OFFICER]),
        "not on the roster": as_officer(ids("ghost")),
        "other tenant": as_officer(officer, tenant="330106005"),
    }[who]

    with pytest.raises(InvalidStatus) as refused:
        async with socket(dispatch, headers):
            pass

    response = refused.value.response
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert says in json.loads(response.body or b"{}")["detail"]


async def test_an_expired_token_closes_the_socket_at_the_next_frame(
    dispatch: httpx.AsyncClient, area: Area, ids: Any,
) -> None:
    officer = ids("expiring")
    await add_officer(dispatch, officer, area.at(), fix=False)
    short = issue_token(ServiceSettings(), "short-lived", [Role.OFFICER], tenant=TENANT, officer_id=officer,
                        ttl=timedelta(seconds=3))
    expires = json.loads(__import__("base64").urlsafe_b64decode(short.split(".")[1] + "==")).get("exp")

    async with socket(dispatch, {"Authorization": f"Bearer {short}"}) as ws:
        before = await ask(ws, {"seq": 1, "fixes": [fix(area.at(10))]})
        await asyncio.sleep(max(0.0, expires - time.time()) + 0.2)
        await ws.send(json.dumps({"seq": 2, "fixes": [fix(area.at(20))]}))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)

    assert before["stored"] == 1
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
    assert "token expired" in closed.value.rcvd.reason
    track = (await dispatch.get(f"/v1/officers/{officer}/track", headers=COMMANDER)).json()
    assert [row["lon"] for row in track] == [pytest.approx(area.at(10)["lon"])]


async def test_a_stopping_dispatch_closes_the_socket_as_a_restart_and_a_resent_frame_stores_nothing_new(
    infra: Infra, config_dir: Path, area: Area, ids: Any,
) -> None:
    officer = ids("restart")
    sent = fix(area.at(40), 2)
    settings = dispatch_settings(infra, config_dir, consume_incidents=False, background=False)
    async with served(build(settings)) as client:
        await add_officer(client, officer, area.at(), fix=False)
        ws = await socket(client, as_officer(officer))
        before = await ask(ws, {"seq": 1, "fixes": [sent]})
    with pytest.raises(ConnectionClosed) as closed:  # the server is gone: the socket was closed on the way
        await asyncio.wait_for(ws.recv(), 10)

    async with served(build(settings)) as again:  # the same database, as after a restart
        ws2 = await socket(again, as_officer(officer))
        resent = await ask(ws2, {"seq": 1, "fixes": [sent]})  # the app cannot know the first got through
        await ws2.close()

    assert before["stored"] == 1
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012  # "service restart": reconnect
    assert resent["stored"] == 0 and resent["position"]["lon"] == pytest.approx(area.at(40)["lon"])


async def test_frames_gather_longer_than_posts_and_a_post_brings_their_flush_forward(
    infra: Infra, config_dir: Path, area: Area, ids: Any,
) -> None:
    streamer, poster = ids("gatherer"), ids("hurrier")
    settings = dispatch_settings(infra, config_dir, consume_incidents=False, background=False,
                                 position_flush_ms=50, position_stream_flush_ms=1000)
    app = build(settings)
    async with served(app) as client:
        for officer in (streamer, poster):
            await add_officer(client, officer, area.at(), fix=False)
        batcher = app.state.runtime.positions
        async with socket(client, as_officer(streamer)) as ws:
            await ws.send(json.dumps({"seq": 1, "fixes": [fix(area.at(10))]}))
            with pytest.raises(TimeoutError):  # the frame's flush is a second away: no answer yet
                await asyncio.wait_for(ws.recv(), 0.3)
            before = batcher.flushes
            posted = await client.post(f"/v1/officers/{poster}/positions", json={"fixes": [fix(area.at(20))]},
                                       headers=as_officer(poster))
            answer = json.loads(await asyncio.wait_for(ws.recv(), 0.5))  # carried by the post's flush

    assert posted.status_code == 200 and posted.json()["stored"] == 1
    assert (answer["seq"], answer["stored"]) == (1, 1)
    assert batcher.flushes - before == 1  # one transaction for both
