"""The load test's one door into the suite's HTTP APIs: intake's sources and dispatch's officer app.

Paths, bodies, roles and signatures live here and nowhere else in the load test, so when an
endpoint moves only this file changes. Each call returns plain values and raises `ApiError`
with the status and body when the server refuses.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from fix_stream import FixStream
from keepalive import Connections

from oneteam_servicekit import ServiceSettings
from oneteam_servicekit.auth import issue_token

TENANT = "330106004"
HOTLINE = "hotline-12345"  # a platform with a development key in intake's settings


class ApiError(Exception):
    """A call the server refused."""

    def __init__(self, what: str, status: int, body: str) -> None:
        super().__init__(f"{what}: HTTP {status}: {body[:300]}")
        self.status = status


@dataclass(frozen=True)
class Receipt:
    """What intake made of one report: the incident it opened (or joined), if any."""

    incident_id: str | None
    opened: bool  # a new incident, so dispatch should send an order for it


@dataclass(frozen=True)
class Order:
    """An order as it arrives on an officer's push channel."""

    assignment_id: str
    incident_id: str | None
    kind: str


class Tokens:
    """Development tokens signed with the suite's shared secret (JWT_SECRET, or the dev default)."""

    def __init__(self) -> None:
        self.settings = ServiceSettings()

    def admin(self) -> str:
        return issue_token(self.settings, "loadtest-admin", ["admin"], tenant=TENANT)

    def commander(self) -> str:
        return issue_token(self.settings, "loadtest-camera-gateway", ["commander"], tenant=TENANT)

    def grid_worker(self, n: int) -> str:
        return issue_token(self.settings, f"loadtest-grid-{n}", ["grid_worker"], tenant=TENANT)

    def officer(self, officer_id: str) -> str:
        return issue_token(self.settings, f"loadtest-{officer_id}", ["officer"], tenant=TENANT, officer_id=officer_id)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _check(what: str, response: httpx.Response, *ok: int) -> Any:
    return _answer(what, response.status_code, response.content, *ok)


def _answer(what: str, status: int, body: bytes, *ok: int) -> Any:
    if status not in ok:
        raise ApiError(what, status, body.decode(errors="replace"))
    return json.loads(body) if body else None


def _receipt(body: dict[str, Any]) -> Receipt:
    incident = body.get("incident_id")
    return Receipt(incident, incident is not None and not body.get("merged") and not body.get("duplicate"))


# -- intake: every source ----------------------------------------------------------------------
# Reports and the officers' steps go over hand-written keep-alive connections (`Connections`):
# through httpx, its pool's bookkeeping was 37 % of the generator's CPU at 20 reports/s (py-spy),
# the generator took 0.42 of the two cores the suite is measured on, and more as requests queued.

async def report_from_app(intake: Connections, token: str, source: str, category: str,
                          lon: float, lat: float) -> Receipt:
    """A grid worker's, citizen's or patrol officer's report through the mobile-app endpoint."""
    body = {"tenant": TENANT, "category": category, "description": f"load test {source} report",
            "location": {"lon": lon, "lat": lat}, "source": source}
    status, answer = await intake.send("/v1/reports", json.dumps(body).encode(),
                                       {**bearer(token), "Idempotency-Key": str(uuid.uuid4())})
    return _receipt(_answer("POST /v1/reports", status, answer, 201))


async def camera_batch(intake: Connections, token: str, detections: list[tuple[str, str, float, float]],
                       ) -> list[Receipt]:
    """One camera gateway upload: (camera_id, label, lon, lat) each, confident enough to dispatch."""
    now = datetime.now(UTC).isoformat()
    body = {"tenant": TENANT, "detections": [
        {"detection_id": uuid.uuid4().hex, "camera_id": camera, "label": label, "confidence": 0.95,
         "detected_at": now, "location": {"lon": lon, "lat": lat}} for camera, label, lon, lat in detections]}
    status, answer = await intake.send("/v1/detections", json.dumps(body).encode(), bearer(token))
    results = _answer("POST /v1/detections", status, answer, 200)["results"]
    return [Receipt(r.get("incident_id"), r["outcome"] == "opened") for r in results]


async def hotline_push(intake: Connections, key: str, category: str, lon: float, lat: float) -> Receipt:
    """The 12345 hotline's signed webhook (HMAC-SHA256 over timestamp + '.' + body)."""
    body = json.dumps({"tenant": TENANT, "external_id": uuid.uuid4().hex, "category": category,
                       "source": "hotline_12345", "description": "load test hotline call",
                       "location": {"lon": lon, "lat": lat}}).encode()
    stamp = str(int(time.time()))
    signature = hmac.new(key.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    status, answer = await intake.send(f"/v1/inbound/{HOTLINE}", body, {
        "X-OneTeam-Timestamp": stamp, "X-OneTeam-Signature": f"sha256={signature}"})
    return _receipt(_answer(f"POST /v1/inbound/{HOTLINE}", status, answer, 201, 200))


# -- dispatch: the officer's app ---------------------------------------------------------------

async def register_officer(client: httpx.AsyncClient, dispatch: str, admin: str, officer_id: str,
                           lon: float, lat: float) -> None:
    """Put an officer on the roster, available, by car, skilled for street order, in no fixed district."""
    body = {"tenant": TENANT, "name": f"Load officer {officer_id}", "team": "management_brigade",
            "department": "comprehensive_enforcement", "skills": ["street_order"], "mode": "car",
            "status": "available", "position": {"lon": lon, "lat": lat}}
    response = await client.put(f"{dispatch}/v1/officers/{officer_id}", json=body, headers=bearer(admin))
    _check(f"PUT /v1/officers/{officer_id}", response, 200, 201)


# An officer's terminal sending one GPS fix: (officer id, lon, lat).
SendFix = Callable[[str, float, float], Awaitable[None]]


def posted_fixes(pool: Connections, tokens: dict[str, str]) -> SendFix:
    """Fixes sent as a POST each (officer id → token)."""

    async def send(officer_id: str, lon: float, lat: float) -> None:
        body = json.dumps({"fixes": [_fix(lon, lat)]}).encode()
        status, answer = await pool.send(f"/v1/officers/{officer_id}/positions", body, bearer(tokens[officer_id]))
        _answer("POST positions", status, answer, 200)

    return send


def streamed_fixes(streams: dict[str, FixStream]) -> SendFix:
    """Fixes sent as a frame each on the officer's position stream (officer id → its socket)."""

    async def send(officer_id: str, lon: float, lat: float) -> None:
        answer = await streams[officer_id].send([_fix(lon, lat)])
        if "error" in answer:
            raise ApiError("position stream frame", answer["error"]["status"], json.dumps(answer["error"]))

    return send


def _fix(lon: float, lat: float) -> dict[str, Any]:
    return {"lon": lon, "lat": lat, "recorded_at": datetime.now(UTC).isoformat(), "accuracy_m": 8}


async def orders(client: httpx.AsyncClient, dispatch: str, token: str) -> AsyncGenerator[Order, None]:
    """The officer's push channel (server-sent events on /v1/me/stream): each order as it is made or changed."""
    async with client.stream("GET", f"{dispatch}/v1/me/stream",
                             headers={**bearer(token), "Accept": "text/event-stream"}, timeout=None) as response:
        if response.status_code != 200:
            raise ApiError("GET /v1/me/stream", response.status_code, (await response.aread()).decode())
        event, data = "message", []
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
            elif not line:
                if data and event != "hello":
                    body = json.loads("\n".join(data))
                    yield Order(str(body["id"]), str(body["incident_id"]), "created" if event == "order" else event)
                event, data = "message", []


async def step(dispatch: Connections, token: str, assignment_id: str, action: str,
               body: dict[str, Any] | None = None) -> None:
    """One step of an order from the officer's app: acknowledge, arrive or report."""
    status, answer = await dispatch.send(f"/v1/assignments/{assignment_id}/{action}", json.dumps(body or {}).encode(),
                                         {**bearer(token), "Idempotency-Key": str(uuid.uuid4())})
    _answer(f"POST assignment {action}", status, answer, 200, 201)
