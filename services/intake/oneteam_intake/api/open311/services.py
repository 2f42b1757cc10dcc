"""Open311 discovery, the service list and service definitions (the category catalog)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from oneteam_intake.api.deps import IntakeDep
from oneteam_intake.api.open311.formats import FORMATS, OPEN311_ERRORS, Open311Route, format_of, render
from oneteam_intake.domain.catalog import Category
from oneteam_intake.service import Intake
from oneteam_servicekit import NotFound

router = APIRouter(prefix="/open311/v2", tags=["Open311 GeoReport v2"], route_class=Open311Route,
                   responses=OPEN311_ERRORS)
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint last changed in a way a client would notice (the discovery changeset).
CHANGESET = "2026-11-25T00:00:00Z"
CONTACT = "OneTeam command centre (综合指挥中心), via the tenant's 12345 hotline"
GROUP = "城市管理 / City management"


def tenant_of(intake: Intake, jurisdiction_id: str | None) -> str:
    """The tenant a jurisdiction_id names (default: the configured one); unknown ones are 404."""
    tenant = jurisdiction_id or intake.settings.open311_jurisdiction
    if tenant not in intake.areas.tenants:
        raise NotFound(f"jurisdiction_id {tenant!r} is not served here; served: "
                       f"{', '.join(sorted(intake.areas.tenants))}")
    return tenant


@router.get("/discovery.{fmt}", summary="Where the endpoint is and what it offers (Open311 discovery)")
async def discovery(request: Request) -> Response:
    format_of(request)
    url = str(request.base_url).rstrip("/") + "/open311/v2"
    return render(request, "discovery", {
        "changeset": CHANGESET, "contact": CONTACT, "key_service": "no API key: submissions are rate-limited",
        "endpoints": [{"specification": SPECIFICATION, "url": url, "changeset": CHANGESET, "type": "production",
                       "formats": [kind.split(";")[0] for kind in FORMATS.values()]}],
    })


@router.get("/services.{fmt}", summary="The service list: the category catalog (public)")
@router.get("/services", include_in_schema=False)
async def services(request: Request, intake: IntakeDep, jurisdiction_id: str | None = None) -> Response:
    format_of(request)
    tenant_of(intake, jurisdiction_id)
    return render(request, "services", [_service(c) for c in intake.catalog.categories.values()])


@router.get("/services/{service_code}.{fmt}", summary="A service definition: the category's attributes (public)")
async def service_definition(request: Request, service_code: str, intake: IntakeDep,
                             jurisdiction_id: str | None = None) -> Response:
    format_of(request)
    tenant_of(intake, jurisdiction_id)
    category = intake.catalog.get(service_code)
    if category is None:
        raise NotFound(f"service_code {service_code!r} does not exist")
    return render(request, "service_definition", {"service_code": category.code, "attributes": [
        {"variable": True, "code": a.code, "datatype": a.datatype, "required": a.required,
         "datatype_description": None, "order": order, "description": a.description,
         "values": [{"key": key, "name": name} for key, name in a.values]}
        for order, a in enumerate(category.attributes, start=1)]})


def _service(category: Category) -> dict[str, Any]:
    return {"service_code": category.code, "service_name": category.name_zh, "description": category.name_en,
            "metadata": bool(category.attributes), "type": "realtime", "keywords": ",".join(category.keywords),
            "group": GROUP}
