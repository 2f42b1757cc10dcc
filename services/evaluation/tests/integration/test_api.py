"""The API over a read model filled through the handlers: explanations, CSV, scorecards, hotspots, roles."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from oneteam_devstack.testing import Infra, serve
from oneteam_evaluation.handlers import apply
from oneteam_evaluation.main import build
from oneteam_evaluation.runtime import EvaluationRuntime
from oneteam_servicekit.auth import Role

from .conftest import evaluation_settings, token
from .scenario import envelopes, morning, random_tenant

pytestmark = pytest.mark.integration

TENANT = random_tenant()
START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # 09:00 in Hangzhou
WINDOW = {"from": "2026-11-01T00:00:00+08:00", "to": "2026-11-03T00:00:00+08:00"}
COMMANDER = token([Role.COMMANDER], TENANT)
AUDITOR = token([Role.AUDITOR], TENANT)
HISTORY = envelopes(morning(START), TENANT)
INCIDENT_A, INCIDENT_B = str(HISTORY[0].data.incident_id), str(HISTORY[7].data.incident_id)


@pytest.fixture(scope="module")
async def client(infra: Infra) -> AsyncIterator[httpx.AsyncClient]:
    app = build(evaluation_settings(infra, consume=False))
    async with serve(app) as c:
        runtime: EvaluationRuntime = app.state.runtime
        for event in HISTORY:
            async with runtime.transaction() as session:
                await apply(session, [event])
        yield c


async def test_the_explanation_lists_the_incidents_a_figure_counted(client: httpx.AsyncClient) -> None:
    answer = await client.get(f"/v1/tenants/{TENANT}/kpis/acknowledged/explain", headers=AUDITOR,
                              params={**WINDOW, "label": "2026-11-02"})

    body = answer.json()
    assert answer.status_code == 200, body
    assert (body["numerator"], body["denominator"]) == (1, 2)
    assert {(i["ref"], i["in_numerator"], i["seconds"]) for i in body["items"]} == {
        (INCIDENT_A, True, 30.0), (INCIDENT_B, False, 120.0)}


async def test_a_figure_comes_as_csv_for_spreadsheets(client: httpx.AsyncClient) -> None:
    answer = await client.get(f"/v1/tenants/{TENANT}/kpis/arrived", headers=COMMANDER,
                              params={**WINDOW, "dimension": "grid", "format": "csv"})

    assert answer.headers["content-type"].startswith("text/csv")
    lines = answer.text.lstrip("\ufeff").splitlines()
    assert lines == ["kpi,period,grid,numerator,denominator,value,p50_s,p90_s",
                     "arrived,2026-11-02,G1,1,1,1.0,240.0,240.0", "arrived,2026-11-02,G2,0,1,0.0,360.0,360.0"]


async def test_an_officer_sees_only_their_own_figures(client: httpx.AsyncClient) -> None:
    mine = token([Role.OFFICER], TENANT, officer_id="o-1")
    someone_else = token([Role.OFFICER], TENANT, officer_id="o-9")

    own = await client.get(f"/v1/tenants/{TENANT}/kpis/reported", headers=mine,
                           params={**WINDOW, "dimension": "officer"})
    nothing = await client.get(f"/v1/tenants/{TENANT}/kpis/reported", headers=someone_else,
                               params={**WINDOW, "dimension": "officer"})
    tenant_wide = await client.get(f"/v1/tenants/{TENANT}/kpis/reported", headers=mine, params=WINDOW)

    assert [(f["key"], f["numerator"], f["denominator"]) for f in own.json()["figures"]] == [("o-1", 1, 2)]
    assert nothing.json()["figures"] == []
    assert tenant_wide.status_code == 403


async def test_callers_without_a_reading_role_or_a_token_are_refused(client: httpx.AsyncClient) -> None:
    path = f"/v1/tenants/{TENANT}/kpis/satisfaction"

    assert (await client.get(path)).status_code == 401
    assert (await client.get(path, headers=token([Role.CITIZEN], TENANT))).status_code == 403
    assert (await client.get(f"/v1/tenants/{TENANT}/kpis/no_such_kpi", headers=COMMANDER)).status_code == 404
    bad = await client.get(path, headers=COMMANDER, params={"from": "2026-11-01T00:00:00"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")


async def test_scorecards_and_hotspots_for_the_assessment_and_patrol_planning(client: httpx.AsyncClient) -> None:
    [card] = (await client.get(f"/v1/tenants/{TENANT}/scorecards/officers", headers=COMMANDER, params=WINDOW)).json()
    spots = (await client.get(f"/v1/tenants/{TENANT}/hotspots", headers=COMMANDER, params=WINDOW)).json()

    assert (card["key"], card["orders"], card["busy_s"], card["distance_m"]) == ("o-1", 2, 960.0, 80.0)
    assert card["shares"]["satisfaction"] == 0.5 and card["score"] == 60.0  # (½+½+½+1+½) ÷ 5
    assert sorted((s["grid"], s["hour"], s["count"]) for s in spots) == [("G1", 8, 1), ("G2", 8, 1)]
    workload = (await client.get(f"/v1/tenants/{TENANT}/workload", headers=COMMANDER, params=WINDOW)).json()
    assert workload == {"officers": 1, "orders_mean": 2.0, "orders_cv": None, "busy_cv": None, "orders_gini": None}


async def test_hotspots_come_as_geojson_points_for_maps(client: httpx.AsyncClient) -> None:
    answer = await client.get(f"/v1/tenants/{TENANT}/hotspots", headers=COMMANDER,
                              params={**WINDOW, "format": "geojson"})

    assert answer.headers["content-type"].startswith("application/geo+json")
    features = answer.json()["features"]
    assert [f["geometry"] for f in features] == [{"type": "Point", "coordinates": [120.12, 30.29]}] * 2
    assert {f["properties"]["grid"] for f in features} == {"G1", "G2"}


async def test_on_h3_cells_the_two_incidents_at_one_place_are_one_hexagon_whatever_their_grids(
        client: httpx.AsyncClient) -> None:
    answer = await client.get(f"/v1/tenants/{TENANT}/hotspots", headers=COMMANDER,
                              params={**WINDOW, "format": "geojson", "cells": "h3", "resolution": "10"})
    bad = await client.get(f"/v1/tenants/{TENANT}/hotspots", headers=COMMANDER,
                           params={**WINDOW, "cells": "h3", "resolution": "16"})

    [feature] = answer.json()["features"]
    assert feature["properties"]["count"] == 2 and feature["geometry"]["type"] == "Polygon"
    ring = feature["geometry"]["coordinates"][0]
    assert len(ring) == 7 and ring[0] == ring[-1]
    assert bad.status_code == 422


async def test_targets_list_every_targeted_kpi_over_the_rolling_window_for_tenant_readers(
        client: httpx.AsyncClient) -> None:
    answer = await client.get(f"/v1/tenants/{TENANT}/targets", headers=AUDITOR)
    officer = await client.get(f"/v1/tenants/{TENANT}/targets", headers=token([Role.OFFICER], TENANT, "o-1"))

    body = answer.json()
    assert answer.status_code == 200, body
    assert {s["kpi"]: s["target"] for s in body["standings"]}["satisfaction"] == 0.995
    assert body["below"] == []  # the morning is weeks before the window: nothing counted, no verdict
    assert officer.status_code == 403


async def test_the_daily_report_gives_every_kpi_beside_its_target_and_opens_in_a_spreadsheet(
        client: httpx.AsyncClient) -> None:
    answer = await client.get(f"/v1/tenants/{TENANT}/reports/daily", headers=COMMANDER, params={"day": "2026-11-02"})
    workbook = await client.get(f"/v1/tenants/{TENANT}/reports/daily", headers=AUDITOR,
                                params={"day": "2026-11-02", "format": "xlsx"})

    report = answer.json()
    lines = {line["kpi"]: line for line in report["lines"]}
    assert (lines["acknowledged"]["numerator"], lines["acknowledged"]["denominator"]) == (1, 2)
    assert lines["satisfaction"]["target"] == 0.995 and lines["no_penalty"]["denominator"] == 0
    assert [card["key"] for card in report["teams"]] == ["T1"] and len(report["hotspots"]) == 2
    book = load_workbook(io.BytesIO(workbook.content))
    assert book.sheetnames == ["指标", "队伍", "队员", "热点"]
    rows = {row[0]: row for row in book["指标"].iter_rows(values_only=True)}
    assert rows["acknowledged"][2:4] == (1, 2)


async def test_the_daily_report_prints_as_a_pdf_and_draws_its_trend_funnel_and_hotspots(
        client: httpx.AsyncClient) -> None:
    day = {"day": "2026-11-02"}
    pdf = await client.get(f"/v1/tenants/{TENANT}/reports/daily", headers=COMMANDER, params={**day, "format": "pdf"})
    drawn = {chart: await client.get(f"/v1/tenants/{TENANT}/reports/daily/charts/{chart}.png", headers=AUDITOR,
                                     params=day) for chart in ("trend", "funnel", "hotspots")}
    officer = await client.get(f"/v1/tenants/{TENANT}/reports/daily/charts/funnel.png",
                               headers=token([Role.OFFICER], TENANT, officer_id="o-1"), params=day)
    unknown = await client.get(f"/v1/tenants/{TENANT}/reports/daily/charts/pie.png", headers=AUDITOR, params=day)
    off_calendar = await client.get(f"/v1/tenants/{TENANT}/reports/daily/charts/trend.png", headers=AUDITOR,
                                    params={"day": "0001-01-03"})  # its week would start before year 1

    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "效能评价日报" in text and "（acknowledged）：50.0%（1/2）" in text
    for chart, answer in drawn.items():
        assert answer.status_code == 200 and answer.content.startswith(b"\x89PNG"), chart
    assert len({answer.content for answer in drawn.values()}) == 3
    # The PDF holds the three charts as images, pixel for pixel the size the chart routes draw them.
    assert _pictures(pdf.content) == sorted(Image.open(io.BytesIO(a.content)).size for a in drawn.values())
    assert officer.status_code == 403 and unknown.status_code == 422 and off_calendar.status_code == 422


def _pictures(pdf: bytes) -> list[tuple[int, int]]:
    """The sizes in pixels of the images a PDF holds."""
    return sorted(image.image.size for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images
                  if image.image is not None)


class _At:
    """A clock stopped at one instant."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


async def test_the_daily_report_is_made_at_the_tenants_hour_and_kept_as_it_was(infra: Infra) -> None:
    tenant = random_tenant()
    settings = evaluation_settings(infra, consume=False, alerts=False, report_check_s=0.2,
                                   report_hours={tenant: 8}, report_hour=23)
    commander = token([Role.COMMANDER], tenant)
    app = build(settings, clock=_At(datetime(2026, 11, 3, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))))
    async with serve(app) as c:
        async with app.state.runtime.transaction() as session:
            await apply(session, envelopes(morning(START), tenant))  # one transaction: no report sees half
        listed: list[dict[str, str]] = []
        for _ in range(100):
            listed = (await c.get(f"/v1/tenants/{tenant}/reports/daily/archive", headers=commander)).json()["reports"]
            if listed:
                break
            await asyncio.sleep(0.1)
        pdf = await c.get(f"/v1/tenants/{tenant}/reports/daily/archive/2026-11-02.pdf", headers=commander)
        book = await c.get(f"/v1/tenants/{tenant}/reports/daily/archive/2026-11-02.xlsx", headers=commander)
        missing = await c.get(f"/v1/tenants/{tenant}/reports/daily/archive/2026-11-01.pdf", headers=commander)

    assert [r["day"] for r in listed] == ["2026-11-02"]  # its own hour, 08:00, has passed; not the default 23:00
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "（acknowledged）：50.0%（1/2）" in text and len(_pictures(pdf.content)) == 3  # trend, funnel, hotspots
    assert load_workbook(io.BytesIO(book.content)).sheetnames == ["指标", "队伍", "队员", "热点"]
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(("label", "period"), [("nonsense", "day"), ("2026-11-02", "week"), ("2026-W48", "day"),
                                               ("2026-02-30", "day"), ("2026-11-2", "day"), ("2026-11", "all")])
async def test_an_explanation_of_a_label_not_shaped_like_its_period_is_refused_naming_the_label(
        client: httpx.AsyncClient, label: str, period: str) -> None:
    answer = await client.get(f"/v1/tenants/{TENANT}/kpis/acknowledged/explain", headers=AUDITOR,
                              params={**WINDOW, "label": label, "period": period})

    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert label in answer.json()["detail"]


@pytest.mark.parametrize(("label", "period"), [("2026-11-02T09", "hour"), ("2026-W45", "week"),
                                               ("2026-11", "month"), ("all", "all")])
async def test_each_periods_label_explains_the_morning(client: httpx.AsyncClient, label: str, period: str) -> None:
    answer = await client.get(f"/v1/tenants/{TENANT}/kpis/acknowledged/explain", headers=AUDITOR,
                              params={**WINDOW, "label": label, "period": period})

    assert answer.status_code == 200, answer.text
    assert (answer.json()["numerator"], answer.json()["denominator"]) == (1, 2)
