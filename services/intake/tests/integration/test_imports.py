"""Batch import from grid-worker reporting integrations: good rows in, bad rows named, no repeats."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from .conftest import Service
from .helpers import TENANT

pytestmark = pytest.mark.integration


def csv_file(service: Service, batch: str) -> str:
    a, b, c = service.spots.next(), service.spots.next(), service.spots.next()
    return "\n".join([
        "external_id,category,description,lon,lat,crs,occurred_at",
        f"{batch}-1,dumped_waste,楼道堆放杂物,{a.lon},{a.lat},,2026-11-25T08:00:00+08:00",
        f"{batch}-2,no_such_thing,不知道是什么,{b.lon},{b.lat},,",
        f"{batch}-3,noise,夜间施工噪音,{b.lon},north,,",
        f"{batch}-4,shop_encroachment,店外经营,{c.lon},{c.lat},wgs84,",
        f"{batch}-5,noise,不在辖区,120.3,30.3,,",
        f"{batch}-6,dispute,邻里纠纷,{c.lon},{c.lat},,",
        "",
    ])


async def test_csv_import_stores_good_rows_and_names_each_bad_line(service: Service, intake: httpx.AsyncClient) -> None:
    batch = uuid.uuid4().hex[:8]

    response = await intake.post("/v1/imports", params={"tenant": TENANT}, content=csv_file(service, batch).encode(),
                                 headers={"Content-Type": "text/csv", **service.token("grid_worker")})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["counts"] == {"opened": 3, "errors": 3}
    assert [(e["line"], e["field"]) for e in body["errors"]] == [(3, "category"), (4, "location.lat"), (6, "location")]
    assert [r["line"] for r in body["rows"]] == [2, 5, 7]
    events = await service.watcher.about(body["rows"][0]["incident_id"])
    assert events[0]["data"]["source"] == "grid_worker"


async def test_re_sending_the_file_adds_nothing(service: Service, intake: httpx.AsyncClient) -> None:
    content = csv_file(service, uuid.uuid4().hex[:8]).encode()
    headers = {"Content-Type": "text/csv", **service.token("grid_worker", subject="grid-integration")}
    first = (await intake.post("/v1/imports", params={"tenant": TENANT}, content=content, headers=headers)).json()

    again = (await intake.post("/v1/imports", params={"tenant": TENANT}, content=content, headers=headers)).json()

    assert again["counts"] == {"duplicate": 3, "errors": 3}
    assert [r["report_id"] for r in again["rows"]] == [r["report_id"] for r in first["rows"]]
    opened = {r["incident_id"] for r in first["rows"]}
    assert len(await service.watcher.wait_for(lambda e: e["subject"] in opened, count=4, timeout=2)) == 3


async def test_json_lines_import_with_gb18030_csv_alternative(service: Service, intake: httpx.AsyncClient) -> None:
    spot = service.spots.next()
    row = {"external_id": f"j-{uuid.uuid4().hex[:6]}", "category": "food_safety", "description": "餐馆后厨卫生差",
           "location": spot.model_dump(mode="json")}
    lines = [json.dumps(row, ensure_ascii=False), "{not json", "[1, 2]"]
    jsonl = await intake.post("/v1/imports", params={"tenant": TENANT}, content="\n".join(lines).encode(),
                              headers={"Content-Type": "application/x-ndjson", **service.token("commander")})
    gbk = ("external_id,category,description,lon,lat\n"
           f"g-{uuid.uuid4().hex[:6]},noise,广场舞噪音扰民,{spot.lon},{spot.lat}\n").encode("gb18030")
    excel = await intake.post("/v1/imports", params={"tenant": TENANT, "format": "csv"}, content=gbk,
                              headers=service.token("commander"))

    assert jsonl.json()["counts"] == {"opened": 1, "errors": 2}
    assert [e["line"] for e in jsonl.json()["errors"]] == [2, 3]
    assert excel.json()["counts"] == {"opened": 1, "errors": 0}
    incident = (await intake.get(f"/v1/incidents/{excel.json()['rows'][0]['incident_id']}",
                                 headers=service.token("commander"))).json()
    assert incident["description"] == "广场舞噪音扰民"


async def test_unknown_columns_or_format_are_refused(service: Service, intake: httpx.AsyncClient) -> None:
    header = await intake.post("/v1/imports", params={"tenant": TENANT}, content=b"id,what\n1,2\n",
                               headers={"Content-Type": "text/csv", **service.token("grid_worker")})
    xml = await intake.post("/v1/imports", params={"tenant": TENANT}, content=b"<rows/>",
                            headers={"Content-Type": "application/xml", **service.token("grid_worker")})

    assert header.json()["errors"][0]["field"] == "header"
    assert xml.status_code == 415 and xml.json()["field"] == "Content-Type"


@pytest.mark.parametrize(("roles", "tenant", "status"), [((), TENANT, 401), (("citizen",), TENANT, 403),
                                                         (("officer",), TENANT, 403),
                                                         (("grid_worker",), "330106005", 403)])
async def test_only_grid_workers_and_the_centre_of_the_tenant_may_import(
    service: Service, intake: httpx.AsyncClient, roles: tuple[str, ...], tenant: str, status: int,
) -> None:
    headers = {"Content-Type": "text/csv", **(service.token(*roles) if roles else {})}

    response = await intake.post("/v1/imports", params={"tenant": tenant}, content=b"external_id\n",
                                 headers=headers)

    assert response.status_code == status
