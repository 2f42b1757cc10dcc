"""The OpenAPI document lists the problems each operation can answer, and the bearer scheme."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from fastapi import APIRouter
from fastapi.routing import APIRoute

from oneteam_servicekit import Runtime, ServiceSettings, create_app

from .kit_app import build

SPEC = build().openapi()


def _responses(path: str, method: str) -> dict[str, dict[str, object]]:
    return SPEC["paths"][path][method]["responses"]  # type: ignore[no-any-return]


def test_every_operation_documents_invalid_input_and_unavailability_as_problems() -> None:
    for path, operations in SPEC["paths"].items():
        for method, operation in operations.items():
            for code in ("422", "503") if path != "/readyz" else ("422",):  # readiness has its own 503
                content = operation["responses"][code]["content"]
                assert list(content) == ["application/problem+json"], (path, method, code)
    assert "Problem" in SPEC["components"]["schemas"]
    assert "HTTPValidationError" not in SPEC["components"]["schemas"]


def test_writes_document_size_type_conflict_and_rate_limit_answers() -> None:
    assert {"400", "409", "413", "415", "429"} <= set(_responses("/v1/things", "post"))
    assert "413" not in _responses("/v1/things", "get")
    assert "Retry-After" in _responses("/v1/things", "post")["429"]["headers"]  # type: ignore[operator]


def test_token_routes_declare_the_bearer_scheme_and_its_refusals() -> None:
    operation = SPEC["paths"]["/v1/things/{thing_id}"]["get"]

    assert SPEC["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert operation["security"] == [{"bearer": []}]
    assert {"401", "403", "404"} <= set(operation["responses"])
    assert "security" not in SPEC["paths"]["/v1/things"]["get"]


def test_a_route_class_with_its_own_error_format_documents_that_format() -> None:
    class XmlErrors(APIRoute):
        problem_content: ClassVar[dict[str, Any]] = {"text/xml": {"schema": {"type": "string"}}}

    router = APIRouter(route_class=XmlErrors)

    @router.get("/things/{thing_id}.{fmt}")
    async def read(thing_id: str, fmt: str) -> str:
        return thing_id

    app = create_app(Runtime(ServiceSettings(), Path(".")), title="t", description="", routers=[router])
    responses = app.openapi()["paths"]["/things/{thing_id}.{fmt}"]["get"]["responses"]

    assert list(responses["404"]["content"]) == ["text/xml"]
    assert list(responses["422"]["content"]) == ["text/xml"]
