"""What an outsider, a fuzzer or a careless app sends to intake: refused clearly, never a 500, never leaked."""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterator

import httpx
import pytest

from oneteam_servicekit.auth import issue_token
from oneteam_servicekit.logs import JsonFormatter

from .conftest import Service
from .helpers import TENANT, a_report

pytestmark = pytest.mark.integration

CONTACT = {"name": "欧阳娜娜", "phone": "13912340000", "email": "ouyang.nana@example.com"}


@pytest.fixture
def logged() -> Iterator[io.StringIO]:
    """Every log line, at every level, as the service's own handler would write it."""
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonFormatter("intake"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_no_log_line_carries_a_reporters_contact(
    service: Service, public: httpx.AsyncClient, logged: io.StringIO,
) -> None:
    plain = await public.post("/v1/reports", json=a_report(service.spots.next(), contact=CONTACT))
    with_nul = await public.post("/v1/reports", json=a_report(
        service.spots.next(), contact={**CONTACT, "name": CONTACT["name"] + "\u0000"}))

    assert plain.status_code == 201, plain.text
    assert with_nul.status_code == 422
    assert with_nul.json()["errors"][0]["field"] == "contact.name"
    text = logged.getvalue()
    assert text, "the capture saw the requests"
    for value in CONTACT.values():
        assert value not in text


@pytest.mark.parametrize("field", ["description", "category"])
async def test_nul_in_any_report_field_is_a_422_naming_it(
    service: Service, public: httpx.AsyncClient, field: str,
) -> None:
    response = await public.post("/v1/reports", json=a_report(service.spots.next(), **{field: "a\u0000b"}))

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


async def test_non_ascii_status_token_is_refused_not_a_crash(service: Service, public: httpx.AsyncClient) -> None:
    report_id = (await public.post("/v1/reports", json=a_report(service.spots.next()))).json()["report_id"]

    by_query = await public.get(f"/v1/reports/{report_id}", params={"token": "é"})
    by_header = await public.get(f"/v1/reports/{report_id}", headers={"X-Report-Token": "é".encode()})
    feedback = await public.post(f"/v1/reports/{report_id}/feedback", params={"token": "é"},
                                 json={"rating": "satisfied"})

    assert [r.status_code for r in (by_query, by_header, feedback)] == [403, 403, 403]


async def test_a_caller_cannot_read_another_callers_answer_with_their_key(
    service: Service, public: httpx.AsyncClient,
) -> None:
    key = {"Idempotency-Key": f"app-{uuid.uuid4()}"}
    report = a_report(service.spots.next())
    first = await public.post("/v1/reports", json=report, headers=key)

    grid_worker = await public.post("/v1/reports", json=report, headers={**key, **service.token("grid_worker")})
    worker_again = await public.post("/v1/reports", json=report, headers={**key, **service.token("grid_worker")})
    other_body = await public.post("/v1/reports", json=a_report(service.spots.next()), headers=key)

    assert first.status_code == grid_worker.status_code == 201
    assert grid_worker.json()["status_token"] != first.json()["status_token"]
    assert worker_again.json()["report_id"] != first.json()["report_id"]
    assert other_body.status_code == 422 and "report_id" not in other_body.text


async def test_same_subject_reusing_a_key_for_another_report_is_refused(
    service: Service, public: httpx.AsyncClient,
) -> None:
    me = service.token("grid_worker", subject=f"grid-{uuid.uuid4().hex[:6]}")
    key = {"Idempotency-Key": f"app-{uuid.uuid4()}", **me}
    first = await public.post("/v1/reports", json=a_report(service.spots.next()), headers=key)
    again = await public.post("/v1/reports", json=a_report(service.spots.next()), headers=key)

    assert first.status_code == 201
    assert again.status_code == 422


async def test_staff_token_without_a_tenant_reads_nothing(service: Service, public: httpx.AsyncClient) -> None:
    incident_id = (await public.post("/v1/reports", json=a_report(service.spots.next()))).json()["incident_id"]

    response = await public.get(f"/v1/incidents/{incident_id}/reports", headers=service.token("commander", tenant=None))

    assert response.status_code == 401
    assert "tenant" in response.json()["detail"]


async def test_token_naming_two_tenants_lists_the_one_asked_for(service: Service, public: httpx.AsyncClient) -> None:
    incident_id = (await public.post("/v1/reports", json=a_report(service.spots.next()))).json()["incident_id"]
    jwt = issue_token(service.settings, "commander-two", ["commander"], tenants=["330106005", TENANT])

    listing = await public.get("/v1/incidents", params={"tenant": TENANT, "limit": 500},
                               headers={"Authorization": f"Bearer {jwt}"})

    assert listing.status_code == 200
    assert incident_id in [incident["id"] for incident in listing.json()]


async def test_body_beyond_the_json_limit_is_a_413_before_it_is_parsed(service: Service,
                                                                      public: httpx.AsyncClient) -> None:
    huge = a_report(service.spots.next(), description="x" * (service.settings.max_json_bytes + 1))

    response = await public.post("/v1/reports", json=huge)

    assert response.status_code == 413


async def test_report_sent_as_form_or_text_is_a_415(service: Service, public: httpx.AsyncClient) -> None:
    response = await public.post("/v1/reports", content=b"tenant=330106004", headers={"content-type": "text/plain"})

    assert response.status_code == 415


async def test_broken_json_is_located_by_line_and_column(public: httpx.AsyncClient) -> None:
    response = await public.post("/v1/reports", content=b'{"tenant": "330106004" "category": "x"}',
                                 headers={"content-type": "application/json"})

    assert response.status_code == 422
    assert "line 1, column 24: Expecting ',' delimiter" in response.json()["detail"]


async def test_position_far_outside_the_tenant_is_refused(service: Service, public: httpx.AsyncClient) -> None:
    response = await public.post("/v1/reports", json=a_report(location={"lon": -73.98, "lat": 40.75}))

    assert response.status_code == 422
    assert "location" in response.text
