"""The officer's position stream: GPS fixes over one WebSocket rather than a request each.

A terminal posting a fix every few seconds cost dispatch ~1.1 ms of CPU per POST, nearly all of
it the HTTP path (uvicorn, FastAPI's routing and dependencies, the kit's middleware; py-spy),
so 2 000 officers took half of one of the two cores. Over `WS /v1/me/positions/stream` the
handshake, the token and the officer are checked once; each frame is a batch of fixes,
validated and put into the same group commit as a post (`PositionBatcher`, within
`DISPATCH_POSITION_STREAM_FLUSH_MS`), and answered after that commit, so an answer still means stored.

- Client frame (text or binary JSON): the POST body plus a sequence number of the client's
  choosing, `{"seq": 7, "fixes": [{"lon": …, "lat": …, "recorded_at": …}]}`.
- Answer: the POST's answer plus that `seq`, or `{"seq": 7, "error": {problem}}` with the same
  problem fields and status an HTTP answer would carry (422 naming the field, 404, 403, 503
  with `retry_after_s`); the socket stays open. `seq` is null when the frame's own was unreadable.
- Frames are answered in order, one at a time. Sending a frame again is harmless: a fix is kept
  once per officer, time and source, and a 503 means send it again.
- The handshake is refused with an HTTP answer (401, 403 or 404, problem JSON) before the socket
  opens. Once the token expires, the next frame closes the socket with code 4401: open a new
  one with a fresh token.
"""

from __future__ import annotations

import json
import time
from typing import Any

from fastapi import APIRouter, WebSocket
from prometheus_client import Counter, Gauge
from pydantic import Field, ValidationError
from starlette.websockets import WebSocketDisconnect

from oneteam_dispatch.api.common import officer_id_of
from oneteam_dispatch.api.officers import PositionsIn, PositionsOut, fixes_of, positions_out
from oneteam_dispatch.domain.positions import check_fixes
from oneteam_dispatch.runtime import DispatchRuntime
from oneteam_dispatch.store import officers as officer_store
from oneteam_servicekit import NotFound
from oneteam_servicekit.auth import Principal, Role, bearer_caller, holding
from oneteam_servicekit.errors import DomainError, TooLarge
from oneteam_servicekit.problems import domain_problem, domain_response, invalid_input

router = APIRouter(prefix="/v1", tags=["officers"])
PATH = "/v1/me/positions/stream"
TOKEN_EXPIRED = 4401  # a private-use close code (4000-4999), after HTTP's 401
# The kit's HTTP metrics never see a frame: the stream counts its own.
OPEN_STREAMS = Gauge("oneteam_dispatch_position_streams", "Officers' position streams open on this process")
FRAMES = Counter("oneteam_dispatch_position_frames_total", "Position stream frames answered", ["status"])


class PositionsFrame(PositionsIn):
    """A batch of fixes on the stream."""

    seq: int = Field(ge=0, le=2**53, description="the client's number for this frame, echoed in its answer")


class PositionsAnswer(PositionsOut):
    """What a frame's fixes did."""

    seq: int


@router.websocket("/me/positions/stream")
async def position_stream(websocket: WebSocket) -> None:
    runtime: DispatchRuntime = websocket.app.state.runtime
    try:
        principal, expires_at = await _officer(websocket, runtime)
    except DomainError as refused:
        await _refuse(websocket, refused)
        return
    officer_id = officer_id_of(principal)
    await websocket.accept()
    limit = runtime.settings.max_json_bytes
    OPEN_STREAMS.inc()
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if time.time() >= expires_at:
                await websocket.close(TOKEN_EXPIRED, "token expired: reconnect with a fresh one")
                return
            data = message.get("text") or message.get("bytes") or ""
            status, answer = await _answer(data, limit, officer_id, principal, runtime)
            FRAMES.labels(str(status)).inc()
            await websocket.send_text(answer)
    except WebSocketDisconnect:
        return
    finally:
        OPEN_STREAMS.dec()


async def _officer(websocket: WebSocket, runtime: DispatchRuntime) -> tuple[Principal, float]:
    """The calling officer, checked once for the socket's life: token, role, roster, tenant."""
    found = await bearer_caller(runtime.settings, websocket.headers.get("authorization"))
    caller, expires_at = found or (None, 0.0)
    principal = holding(caller, Role.OFFICER, Role.COMMANDER, Role.ADMIN)  # the roles a POST's `Staff` needs
    officer_id = officer_id_of(principal)
    async with runtime.sessions() as session:
        officer = await officer_store.get_officer(session, officer_id)
    if officer is None:
        raise NotFound(f"officer {officer_id} does not exist")
    principal.check_tenant(officer.tenant)
    return principal, expires_at


async def _refuse(websocket: WebSocket, refused: DomainError) -> None:
    """Answer the handshake over HTTP where the server can (a client then reads why), else close."""
    try:
        await websocket.send_denial_response(domain_response(refused, websocket))
    except RuntimeError:  # the server has no denial extension: the reason goes in the close frame
        await websocket.close(1008, refused.detail[:120])


async def _answer(data: str | bytes, limit: int, officer_id: str, principal: Principal,
                  runtime: DispatchRuntime) -> tuple[int, str]:
    """One frame's status and answer, after its fixes have committed (or why they were refused)."""
    seq: int | None = None
    try:
        if len(data) > limit:
            raise TooLarge(f"a frame may hold {limit} bytes; send fewer fixes per frame")
        try:
            frame = PositionsFrame.model_validate_json(data)
        except ValidationError as invalid:
            return 422, _error(_seq_of(data), invalid_input(invalid.errors(), data, PATH))
        seq = frame.seq
        fixes = fixes_of(frame)
        check_fixes(fixes, runtime.clock.now())
        kept = await runtime.positions.submit(officer_id, fixes, principal.check_tenant,
                                              within_s=runtime.dispatch_settings.position_stream_flush_ms / 1000)
    except DomainError as refused:
        return refused.status, _error(seq, domain_problem(refused, PATH))
    answer = positions_out(officer_id, kept, runtime)
    return 200, PositionsAnswer(seq=frame.seq, **answer.__dict__).model_dump_json()


def _error(seq: int | None, problem: dict[str, Any]) -> str:
    return json.dumps({"seq": seq, "error": problem}, ensure_ascii=False)


def _seq_of(data: str | bytes) -> int | None:
    """The frame's own number, if it can be read, so the client knows which frame was refused."""
    try:
        seq = json.loads(data).get("seq")
    except (ValueError, AttributeError):
        return None
    return seq if isinstance(seq, int) and not isinstance(seq, bool) else None
