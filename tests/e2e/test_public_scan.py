"""The public-topic scan that ends the e2e suite flags what it must (no suite needed here)."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from oneteam_contracts import Envelope, GeoPoint, IncidentReported, kafka_headers, new_event, to_kafka

from .public_scan import check_record


def _reported(description: str = "", has_description: bool = True) -> Envelope[Any]:
    data = IncidentReported(incident_id=uuid4(), report_id=uuid4(), category="street_vending", source="citizen_app",
                            priority="normal", location=GeoPoint(lon=120.124, lat=30.288), description=description,
                            has_description=has_description, reported_at=datetime.now(UTC))
    return new_event(data, source="intake", tenant="330106004", subject=str(data.incident_id))


def test_a_clean_structured_record_passes() -> None:
    record = to_kafka(_reported())

    assert check_record("t[0]@0", record.headers, record.value) == []


def test_typed_text_a_phone_number_and_the_old_wire_are_each_flagged() -> None:
    leaky = to_kafka(_reported("张三 13800001111 说摊贩占道"))
    old = _reported()

    problems = check_record("t[0]@1", leaky.headers, leaky.value)
    wire_1 = check_record("t[0]@2", kafka_headers(old), old.model_dump_json().encode())

    assert any("description holds text" in p for p in problems)
    assert any("Chinese text" in p for p in problems) and any("mobile number" in p for p in problems)
    assert wire_1 == ["t[0]@2: not a structured CloudEvent"]


def test_a_uuid_whose_digits_look_like_a_mobile_number_is_not_one() -> None:
    # Generated ids hold such runs by chance, always beside a hex letter or more digits.
    event = _reported()
    event = event.model_copy(update={"subject": "8e1a2b3c-4d5e-4f60-a713-8001111aa139"})
    shaped = event.model_copy(update={"data": event.data.model_copy(
        update={"report_id": UUID("a1390000-1111-4abc-8def-b13800001111")})})
    record = to_kafka(shaped)

    assert check_record("t[0]@3", record.headers, record.value) == []
    for typed in ("tel:13800001111", "13800001111", "(13800001111)"):
        leaky = to_kafka(_reported(typed))
        assert any("mobile number" in p for p in check_record("t[0]@4", leaky.headers, leaky.value)), typed
