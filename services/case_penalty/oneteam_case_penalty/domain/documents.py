"""The texts of the documents a party receives, numbered by the tenant's scheme:
告知书 (prior notice, Art. 44-45), 行政处罚决定书 (Art. 59), 不予行政处罚决定书 (Art. 33).

Pure text from the case's data; rendering to PDF is the edge's work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from oneteam_case_penalty.domain import facts as F
from oneteam_case_penalty.domain.cases import Case, CaseState
from oneteam_case_penalty.domain.catalogue import Item
from oneteam_case_penalty.domain.decisions import NO_PENALTY
from oneteam_case_penalty.domain.discretion import Recommendation
from oneteam_servicekit.errors import Conflict


class DocumentKind(StrEnum):
    """A document of the case, with its number's mark and title."""

    PRIOR_NOTICE = "prior_notice"
    PENALTY_DECISION = "penalty_decision"
    NO_PENALTY_DECISION = "no_penalty_decision"


TITLES = {DocumentKind.PRIOR_NOTICE: "行政处罚事先告知书", DocumentKind.PENALTY_DECISION: "行政处罚决定书",
          DocumentKind.NO_PENALTY_DECISION: "不予行政处罚决定书"}
MARKS = {DocumentKind.PRIOR_NOTICE: "告", DocumentKind.PENALTY_DECISION: "决",
         DocumentKind.NO_PENALTY_DECISION: "不罚"}


@dataclass(frozen=True)
class Document:
    """A document's number, title and lines of text."""

    kind: DocumentKind
    number: str
    title: str
    lines: tuple[str, ...]


def number(prefix: str, kind: DocumentKind, year: int, seq: int) -> str:
    """The document number, e.g. 西湖综执罚决〔2026〕12号."""
    return f"{prefix}{MARKS[kind]}〔{year}〕{seq}号"


def check_issuable(case: Case, kind: DocumentKind) -> None:
    """Refuse a document the case's state does not support."""
    decided = case.decision
    if kind is DocumentKind.PRIOR_NOTICE and case.notice_at is None:
        raise Conflict("no prior notice was given in this case")
    if kind is DocumentKind.PENALTY_DECISION and (decided is None or decided.outcome in NO_PENALTY):
        raise Conflict("the case has no penalty decision")
    if kind is DocumentKind.NO_PENALTY_DECISION and (decided is None or decided.outcome not in NO_PENALTY):
        raise Conflict("the case has no no-penalty decision")
    if case.state in (CaseState.NOT_FILED, CaseState.TRANSFERRED):
        raise Conflict(f"case is {case.state.value}")


def compose(kind: DocumentKind, doc_number: str, case: Case, items: list[Item], rec: Recommendation | None,
            party: str, authority: str, issued_on: date) -> Document:
    """The document's text from the case."""
    facts = "；".join(F.LABELS.get(f, f) for f in case.facts) or "见调查笔录"
    head = [f"当事人：{party}", f"案件编号：{case.id}",
            f"违法事实：经查，当事人存在{'、'.join(i.act for i in items)}的行为（{facts}），"
            f"有现场照片等证据{len(case.evidence)}份为证。",
            "法律依据：" + "；".join(f"《{i.basis.law}》{i.basis.article}" for i in items) + "。"]
    if kind is DocumentKind.PRIOR_NOTICE:
        body = _notice(case, items, rec)
    elif kind is DocumentKind.PENALTY_DECISION:
        body = _penalty(case, items)
    else:
        body = _no_penalty(case)
    tail = [f"{authority}", f"{issued_on.year}年{issued_on.month}月{issued_on.day}日"]
    return Document(kind, doc_number, TITLES[kind], (*head, *body, *tail))


def _yuan(fen: int) -> str:
    return f"{fen // 100}元" if fen % 100 == 0 else f"{fen / 100:.2f}元"


def _notice(case: Case, items: list[Item], rec: Recommendation | None) -> list[str]:
    intended = "拟不予行政处罚" if rec is None or rec.outcome in NO_PENALTY else (
        f"拟作出罚款{_yuan(rec.fine_fen)}的行政处罚" if rec.fine_fen else "拟给予警告")
    lines = [f"处罚依据：{'；'.join(_penalty_basis(i) for i in items)}。", f"本机关{intended}。",
             "根据《中华人民共和国行政处罚法》第四十四条、第四十五条，你（单位）有权进行陈述和申辩。"]
    if case.hearing_until is not None:
        lines.append("根据该法第六十三条、第六十四条，你（单位）有权要求听证，应当在收到本告知书之日起五个工作日内"
                     f"提出（截止：{case.hearing_until.date().isoformat()}）；逾期视为放弃。")
    return lines


def _penalty(case: Case, items: list[Item]) -> list[str]:
    d = case.decision
    assert d is not None
    penalties = ([f"罚款{_yuan(d.fine_fen)}"] if d.fine_fen else []) + (["警告"] if d.warning else [])
    lines = [f"处罚依据：{'；'.join(_penalty_basis(i) for i in items)}。",
             f"处罚决定：{'，'.join(penalties)}" + (f"；并{'、'.join(_measure(m) for m in d.measures)}" if d.measures
                                                  else "") + "。"]
    if len(items) > 1:
        lines.append("同一违法行为违反多个法律规范应当给予罚款处罚的，按照罚款数额高的规定处罚"
                     "（《中华人民共和国行政处罚法》第二十九条）。")
    if d.fine_fen:
        lines.append("履行方式和期限：自收到本决定书之日起十五日内缴纳罚款（行政处罚法第六十七条）；"
                     "到期不缴纳的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款的数额（第七十二条）。")
    lines.append("如不服本决定，可以在收到本决定书之日起六十日内申请行政复议，或者在六个月内依法提起行政诉讼。")
    return lines


def _no_penalty(case: Case) -> list[str]:
    d = case.decision
    assert d is not None
    article = "第三十三条第二款" if d.outcome.value == "no_penalty_no_fault" else "第三十三条第一款"
    return [f"根据《中华人民共和国行政处罚法》{article}，决定不予行政处罚。",
            f"教育情况：{d.education or ''}（行政处罚法第三十三条第三款）。",
            "如不服本决定，可以在收到本决定书之日起六十日内申请行政复议，或者在六个月内依法提起行政诉讼。"]


def _penalty_basis(item: Item) -> str:
    basis = item.penalty_basis or item.basis
    return f"《{basis.law}》{basis.article}"


_MEASURES = {"order_to_correct": "责令改正", "stop_construction": "责令停止建设",
             "confiscate_illegal_gains": "没收违法所得", "confiscate_goods": "没收违法经营的食品"}


def _measure(code: str) -> str:
    return _MEASURES.get(code, code)
