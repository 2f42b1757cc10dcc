"""Odd input is refused at the edge with a problem naming what is wrong, never a 500."""

from __future__ import annotations

import json

import pytest

from .kit_app import build, client

APP = build(max_json_bytes=1000, max_upload_bytes=5000)


@pytest.mark.parametrize(("body", "field"), [
    ({"description": "ok", "contact": {"name": "张\u0000三"}}, "contact.name"),
    ({"description": "bell\u0007"}, "description"),
    ({"description": "ok", "tags": ["a", "b\u0000"]}, "tags.1"),
])
async def test_control_characters_in_any_json_field_are_a_422_naming_the_field(body: object, field: str) -> None:
    async with client(APP) as http:
        response = await http.post("/v1/things", json=body)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == field
    assert "U+00" in response.json()["detail"]


async def test_lone_surrogate_is_refused_rather_than_failing_in_the_database() -> None:
    async with client(APP) as http:
        response = await http.post("/v1/things", content=b'{"description": "\\ud800"}',
                                   headers={"content-type": "application/json"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "description"


async def test_lines_and_tabs_stay_allowed() -> None:
    async with client(APP) as http:
        response = await http.post("/v1/things", json={"description": "第一行\n\t第二行\r\n"})

    assert response.status_code == 201


async def test_control_character_in_a_query_parameter_is_a_422_naming_it() -> None:
    async with client(APP) as http:
        response = await http.get("/v1/things", params={"q": "a\u0000b"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "q"


async def test_invalid_json_names_line_and_column_in_words() -> None:
    async with client(APP) as http:
        response = await http.post("/v1/things", content=b'{"description": "a"\n "tags": []}',
                                   headers={"content-type": "application/json"})

    assert response.status_code == 422
    assert response.json()["detail"] == "body: invalid JSON at line 2, column 2: Expecting ',' delimiter"


@pytest.mark.parametrize("chunked", [False, True])
async def test_json_body_beyond_the_limit_is_a_413(chunked: bool) -> None:
    body = json.dumps({"description": "x" * 2000}).encode()

    async def stream():  # type: ignore[no-untyped-def]
        yield body

    async with client(APP) as http:
        response = await http.post("/v1/things", content=stream() if chunked else body,
                                   headers={"content-type": "application/json"})

    assert response.status_code == 413
    assert response.json()["type"].endswith("/too-large")


async def test_uploads_have_their_own_larger_limit() -> None:
    async with client(APP) as http:
        small = await http.post("/v1/photos", files={"file": ("a.jpg", b"j" * 3000, "image/jpeg")})
        large = await http.post("/v1/photos", files={"file": ("a.jpg", b"j" * 6000, "image/jpeg")})

    assert small.status_code == 201
    assert large.status_code == 413


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", None])
async def test_json_route_given_another_content_type_is_a_415(content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    async with client(APP) as http:
        response = await http.post("/v1/things", content=b'{"description": "a"}', headers=headers)

    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"


async def test_method_not_allowed_names_the_allowed_methods() -> None:
    async with client(APP) as http:
        response = await http.delete("/v1/things")

    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "POST"}


async def test_rate_limited_answer_carries_retry_after() -> None:
    async with client(APP) as http:
        response = await http.post("/v1/busy", params={"pool": "false"})

    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"


async def test_exhausted_database_pool_is_a_503_with_retry_after() -> None:
    async with client(APP) as http:
        response = await http.post("/v1/busy")

    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["type"].endswith("/unavailable")


async def test_failure_promises_a_safe_retry_only_where_an_idempotency_key_is_taken() -> None:
    async with client(APP) as http:
        read = await http.get("/v1/things", params={"crash": "true"})
        write = await http.post("/v1/things", json={"description": "crash"})

    assert read.status_code == write.status_code == 500
    assert "Idempotency-Key" not in read.json()["detail"]
    assert "Retrying with the same Idempotency-Key is safe" in write.json()["detail"]
