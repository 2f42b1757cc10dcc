"""The party's documents as Chinese PDFs, numbered once by the tenant's scheme; the XLSX export."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from openpyxl import load_workbook
from pypdf import PdfReader

from oneteam_devstack.testing import Infra, serve

from .conftest import AUDITOR, HEAD, build_app, case_settings, officer

pytestmark = pytest.mark.integration
ID = "11010519491231002X"


@pytest.fixture(scope="module")
async def client(infra: Infra) -> AsyncIterator[httpx.AsyncClient]:
    settings = case_settings(infra, consume_handoffs=False, background=False,
                             party_encryption_key=Fernet.generate_key().decode())
    async with serve(build_app(settings)) as c:
        yield c


async def post(client: httpx.AsyncClient, path: str, body: dict[str, Any], headers: dict[str, str],
               status: int = 200) -> dict[str, Any]:
    response = await client.post(path, json=body, headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == status, response.text
    return dict(response.json())


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


async def test_a_penalty_decision_document_prints_number_facts_basis_fine_and_rights(
        client: httpx.AsyncClient) -> None:
    me = officer("o-doc")
    opened = await post(client, "/v1/cases", {"category": "street_vending", "facts": ["repeated"],
                                              "party": {"kind": "person", "identifier": ID}}, me, 201)
    case_id = opened["case"]["id"]
    await post(client, f"/v1/cases/{case_id}/filing", {"filed": True, "reason": "事实清楚"}, me)
    await post(client, f"/v1/cases/{case_id}/notice", {}, me)
    notice = await post(client, f"/v1/cases/{case_id}/documents", {"kind": "prior_notice"}, me, 201)
    await post(client, f"/v1/cases/{case_id}/decision", {"outcome": "penalty", "fine_fen": 200_00}, HEAD)
    first = await post(client, f"/v1/cases/{case_id}/documents", {"kind": "penalty_decision"}, me, 201)
    again = await post(client, f"/v1/cases/{case_id}/documents", {"kind": "penalty_decision"}, me, 201)
    assert first["number"] == again["number"] and first["number"].startswith("西湖综执罚决〔")
    assert notice["number"].startswith("西湖综执罚告〔")

    pdf = await client.get(f"/v1/cases/{case_id}/documents/penalty_decision.pdf", headers=me)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = text_of(pdf.content)
    for expected in ("行政处罚决定书", first["number"], "城市道路管理条例", "罚款200元", "十五日内", "百分之三",
                     "六十日内申请行政复议", ID):
        assert expected in text, expected
    notice_text = text_of((await client.get(f"/v1/cases/{case_id}/documents/prior_notice.pdf", headers=me)).content)
    assert "陈述和申辩" in notice_text and "拟作出罚款200元" in notice_text


async def test_a_no_penalty_document_records_the_education_and_no_decision_no_document(
        client: httpx.AsyncClient) -> None:
    me = officer("o-doc2")
    opened = await post(client, "/v1/cases", {"category": "street_vending",
                                              "facts": ["minor", "corrected", "no_harm"]}, me, 201)
    case_id = opened["case"]["id"]
    early = await client.post(f"/v1/cases/{case_id}/documents", json={"kind": "no_penalty_decision"}, headers=me)
    assert early.status_code == 409
    await post(client, f"/v1/cases/{case_id}/filing", {"filed": True, "reason": "r"}, me)
    await post(client, f"/v1/cases/{case_id}/decision",
               {"outcome": "no_penalty_minor", "education": "当场讲解城市道路管理规定"}, HEAD)
    issued = await post(client, f"/v1/cases/{case_id}/documents", {"kind": "no_penalty_decision"}, me, 201)
    text = text_of((await client.get(f"/v1/cases/{case_id}/documents/no_penalty_decision.pdf", headers=me)).content)
    assert issued["number"] in text and "不予行政处罚" in text and "当场讲解城市道路管理规定" in text

    export = await client.get("/v1/oversight/export.xlsx", headers=AUDITOR,
                              params={"start": "2020-01-01T00:00:00Z", "end": "2100-01-01T00:00:00Z"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "case_id" and any(r[0] == case_id and r[5] == "no_penalty_minor" for r in rows[1:])


async def test_the_party_is_shown_in_full_to_a_head_and_masked_to_the_officer(client: httpx.AsyncClient) -> None:
    me = officer("o-party")
    party = {"kind": "person", "identifier": ID, "contact": {"name": "张三丰", "phone": "13800001111"}}
    opened = await post(client, "/v1/cases", {"category": "shop_encroachment", "party": party}, me, 201)
    url = f"/v1/cases/{opened['case']['id']}/party"
    masked = (await client.get(url, headers=me)).json()
    full = (await client.get(url, headers=HEAD)).json()
    assert masked["identifier"] == "110*************2X"
    assert masked["contact"] == {"name": "张**", "phone": "138****1111"}
    assert full["identifier"] == ID and full["contact"]["phone"] == "13800001111"
