"""Reports that arrive together are committed together (`oneteam_intake.submissions`): decided as
if sent one by one, each answered on its own, and run alone when their group fails."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from oneteam_contracts import GeoPoint
from oneteam_intake.store import batches
from oneteam_intake.submissions import ReportBatcher

from .conftest import Service
from .helpers import a_report, between

pytestmark = pytest.mark.integration


def batcher(service: Service) -> ReportBatcher:
    found: ReportBatcher = service.app.state.report_batcher
    return found


def spot(service: Service) -> GeoPoint:
    """A point off the module's grid, which other modules' platform reports may reach (`between`)."""
    return between(service.spots.next())


async def test_reports_arriving_together_merge_as_if_sent_one_by_one(
    service: Service, public: httpx.AsyncClient,
) -> None:
    here, elsewhere = spot(service), spot(service)
    bodies = [a_report(here) for _ in range(8)] + [a_report(elsewhere, category="dumped_waste") for _ in range(4)]
    groups = batcher(service).groups

    answers = await asyncio.gather(*(public.post("/v1/reports", json=body) for body in bodies))

    assert [a.status_code for a in answers] == [201] * 12, [a.text for a in answers]
    assert batcher(service).groups - groups < 12, "some reports shared a transaction"
    vending, waste = [a.json() for a in answers[:8]], [a.json() for a in answers[8:]]
    assert len({a["incident_id"] for a in vending}) == 1 and len({a["incident_id"] for a in waste}) == 1
    assert sorted(a["report_count"] for a in vending) == list(range(1, 9)), "each saw the ones before it"
    assert [a["merged"] for a in sorted(vending, key=lambda a: a["report_count"])] == [False] + [True] * 7
    incident = (await public.get(f"/v1/incidents/{vending[0]['incident_id']}",
                                 headers=service.token("officer"))).json()
    assert incident["report_count"] == 8
    events = await service.watcher.about(vending[0]["incident_id"], count=8)
    assert [e["type"] for e in events] == ["incident.reported"] + ["incident.merged"] * 7
    assert [e["data"]["report_count"] for e in events[1:]] == list(range(2, 9)), "published in the order decided"
    status = (await public.get(f"/v1/reports/{vending[3]['report_id']}",
                               headers={"X-Report-Token": vending[3]["status_token"]})).json()
    assert status["contact"]["name"] and status["category"] == "street_vending", "contact stored with the report"


async def test_each_report_of_a_group_gets_its_own_answer(service: Service, public: httpx.AsyncClient) -> None:
    key, reused = f"app-{uuid.uuid4()}", f"app-{uuid.uuid4()}"
    good = a_report(spot(service))
    sent: list[tuple[dict[str, Any], dict[str, str]]] = [
        (good, {"Idempotency-Key": key}),
        (good, {"Idempotency-Key": key}),  # a retry racing the first: the first's answer
        (a_report(spot(service)), {"Idempotency-Key": reused}),
        (a_report(spot(service), description="另一个"), {"Idempotency-Key": reused}),
        (a_report(spot(service), photo_ids=["f" * 64]), {}),
        (a_report(location={"lon": 120.16, "lat": 30.27}), {}),
        (a_report(spot(service), category=None, contact=None), {}),
    ]

    answers = await asyncio.gather(*(public.post("/v1/reports", json=body, headers=headers)
                                     for body, headers in sent))

    codes = [a.status_code for a in answers]
    assert codes[:2] + codes[4:] == [201, 201, 422, 422, 201], [a.text for a in answers]
    assert answers[0].json() == answers[1].json()
    assert sorted(codes[2:4]) == [201, 422], "of two bodies racing with one key, one is stored"
    assert next(a for a in answers[2:4] if a.status_code == 422).json()["field"] == "Idempotency-Key"
    assert "not uploaded" in answers[4].json()["detail"]
    assert answers[5].json()["type"].endswith("/outside-tenant")
    assert answers[6].json()["status"] == "triage" and answers[6].json()["incident_id"] is None
    again = await public.post("/v1/reports", json=good, headers={"Idempotency-Key": key})
    assert again.json() == answers[0].json(), "the stored answer replays after the group"


async def test_a_group_that_fails_runs_each_report_alone(
    service: Service, public: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch,
) -> None:
    write = batches.write
    failed: list[bool] = []

    async def fails_once(*args: Any, **kwargs: Any) -> None:
        if not failed:
            failed.append(True)
            raise RuntimeError("the group's write failed")
        await write(*args, **kwargs)

    monkeypatch.setattr(batches, "write", fails_once)
    alone = batcher(service).alone
    keys = [f"app-{uuid.uuid4()}" for _ in range(5)]
    bodies = [a_report(spot(service)) for _ in keys]

    answers = await asyncio.gather(*(public.post("/v1/reports", json=body, headers={"Idempotency-Key": k})
                                     for body, k in zip(bodies, keys, strict=True)))

    assert [a.status_code for a in answers] == [201] * 5, [a.text for a in answers]
    assert failed and batcher(service).alone > alone, "the failed group's reports ran alone"
    replays = await asyncio.gather(*(public.post("/v1/reports", json=body, headers={"Idempotency-Key": k})
                                     for body, k in zip(bodies, keys, strict=True)))
    assert [r.json() for r in replays] == [a.json() for a in answers], "each stored once, with its answer"
    for answer in answers:
        report_id = answer.json()["report_id"]
        events = await service.watcher.wait_for(lambda e, r=report_id: e["data"].get("report_id") == r)
        assert [e["type"] for e in events] == ["incident.reported"], "published once"
