"""The agreement's text: parties as the reader may see them, obligations with amounts and days, the window."""

from datetime import date

import pytest

from oneteam_mediation.domain import agreements as A
from oneteam_mediation.domain import mediations as M
from oneteam_mediation.domain.documents import agreement_document
from oneteam_servicekit.errors import Conflict
from oneteam_servicekit.pdf import render_pdf

from .factories import CALENDAR, NOW, REGISTRY, mediation


def test_the_agreement_names_obligations_amounts_due_days_and_the_confirmation_window() -> None:
    signatures = [A.Signature(party_id=p, method="handwritten", signed_at=NOW) for p in ("p1", "p2")]
    owed = A.Obligation(id="o1", party_id="p2", kind=A.ObligationKind.PAY, terms="赔偿门锁", amount_fen=30050,
                        due=date(2026, 12, 10))
    m = M.sign_agreement(mediation(), [owed], signatures, NOW, CALENDAR, REGISTRY)

    document = agreement_document(m, {"p1": {"name": "张三"}, "p2": {"name": "李*"}}, "王建华")

    text = "\n".join(document.lines)
    assert document.title == "人民调解协议书"
    assert "1. 李*支付：赔偿门锁，金额人民币300.50元，于2026年12月10日前履行完毕。" in text
    assert "三十日内（至2026年12月25日）共同向人民法院申请司法确认" in text and "调解员：王建华" in text
    assert render_pdf(document.title, document.number, document.lines).startswith(b"%PDF")


def test_there_is_no_agreement_document_before_signature() -> None:
    with pytest.raises(Conflict):
        agreement_document(mediation(), {}, None)
