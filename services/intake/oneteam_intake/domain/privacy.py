"""Personal data (个人信息): masking for staff who may not see it; free text kept off topics.

The free-text rule: what a person typed (report descriptions, closing notes, feedback
comments) never goes onto a Kafka topic, since other platforms read those and a scrubber
cannot recognise every name or plate number ("张三说：车牌浙A12345"). Events say only whether
there is text (`has_description`, `has_note`, `has_comment`); the text itself is read through
intake's role-checked APIs: the reporter (status token) and staff.
"""

from __future__ import annotations

import re

# Mainland mobile numbers, 18-character resident ID numbers and e-mail addresses: what
# reporters most often type into a description ("call me on 138...").
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2}(?![0-9])")
_RESIDENT_ID = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
REMOVED = "[已隐去]"


def has_text(text: str | None) -> bool:
    """Whether `text` says anything (the flag events carry instead of the text)."""
    return bool(text and text.strip())


def scrub(text: str) -> str:
    """`text` with phone numbers, ID numbers and e-mail addresses removed."""
    for pattern in (_RESIDENT_ID, _MOBILE, _EMAIL):
        text = pattern.sub(REMOVED, text)
    return text


def mask_phone(phone: str | None) -> str | None:
    """Keep the first 3 and last 4 digits: 138****1111, as Chinese apps show numbers."""
    if not phone:
        return phone
    digits = re.sub(r"[^0-9]", "", phone)
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(name: str | None) -> str | None:
    """Keep the first character (the family name): 张三 → 张*."""
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def mask_email(email: str | None) -> str | None:
    """Keep the first character and the domain: a***@example.com."""
    if not email or "@" not in email:
        return email
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"
