"""The agreement's text (人民调解协议书), line by line, for the PDF; parties named as the reader may see them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from oneteam_deadlines.calendar import CHINA
from oneteam_mediation.domain.agreements import ObligationKind
from oneteam_mediation.domain.mediations import Mediation
from oneteam_mediation.domain.parties import PartyKind
from oneteam_servicekit.errors import Conflict

_KIND = {ObligationKind.PAY: "支付", ObligationKind.ACT: "履行", ObligationKind.REFRAIN: "不得",
         ObligationKind.APOLOGISE: "赔礼道歉"}


@dataclass(frozen=True)
class Document:
    """A document ready to render."""

    title: str
    number: str
    lines: list[str]


def agreement_document(m: Mediation, contacts: Mapping[str, Mapping[str, str]], mediator_name: str | None
                       ) -> Document:
    """The signed agreement as text: parties, dispute, obligations, signatures, the confirmation window."""
    if m.agreement is None:
        raise Conflict("no agreement has been signed")
    a = m.agreement
    names = {p.id: contacts.get(p.id, {}).get("name") or f"当事人{p.id[1:]}" for p in m.parties}
    lines = [f"当事人{p.id[1:]}：{names[p.id]}（{'自然人' if p.kind is PartyKind.PERSON else '单位'}）"
             for p in m.parties]
    lines += ["", f"纠纷类型：{m.skill.value}（事项 {m.category}）",
              "经人民调解委员会主持调解，当事人自愿达成如下协议：", ""]
    for i, o in enumerate(a.obligations, 1):
        amount = f"，金额人民币{o.amount_fen / 100:.2f}元" if o.amount_fen else ""
        lines.append(f"{i}. {names.get(o.party_id, o.party_id)}{_KIND[o.kind]}：{o.terms}{amount}，"
                     f"于{o.due:%Y年%m月%d日}前履行完毕。")
    if not a.obligations:
        lines.append("双方当事人已当场履行完毕，无后续义务。")
    signed = a.signed_at.astimezone(CHINA)
    due = a.confirmation_due.astimezone(CHINA)
    lines += ["", "本协议自各方当事人签名之日起生效，具有法律约束力，当事人应当按照约定履行。",
              f"双方当事人可以自本协议生效之日起三十日内（至{due:%Y年%m月%d日}）共同向人民法院申请司法确认。", ""]
    lines += [f"{names.get(s.party_id, s.party_id)}（签名，{s.method}）：{s.signed_at.astimezone(CHINA):%Y年%m月%d日}"
              for s in a.signatures]
    lines += [f"调解员：{mediator_name or '（现场处置人员）'}", f"日期：{signed:%Y年%m月%d日}"]
    return Document(title="人民调解协议书", number=f"调协〔{signed:%Y}〕{str(m.id)[:8]}", lines=lines)
