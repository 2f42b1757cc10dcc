"""Evaluation's KPI alerts: one tenant's alerts share a key, and a breach's two messages share its id."""

from datetime import timedelta
from uuid import uuid4

import pytest
from pydantic import ValidationError

from oneteam_contracts import KPI, KpiAlert, KpiRecovered, new_event, parse_event, partition_key, spec_for

from .samples import CUIYUAN, NOW


def _alert(**changes: object) -> KpiAlert:
    values: dict[str, object] = {
        "alert_id": uuid4(), "tenant": CUIYUAN, "kpi": "acknowledged", "value": 0.5, "target": 1.0,
        "numerator": 1, "denominator": 2, "window_start": NOW - timedelta(days=7), "window_end": NOW,
        "breach_started_at": NOW}
    return KpiAlert.model_validate({**values, **changes})


def test_an_alert_round_trips_and_is_keyed_by_its_tenant() -> None:
    alert = _alert()
    event = new_event(alert, source="evaluation", tenant=CUIYUAN, subject="acknowledged")

    parsed = parse_event(event.model_dump_json())

    assert parsed.type == "kpi.alert" and parsed.data == alert
    assert spec_for(KpiAlert).topic == spec_for(KpiRecovered).topic == KPI
    assert partition_key(parsed) == CUIYUAN.encode()


def test_a_recovery_names_the_breach_it_ends() -> None:
    alert = _alert()
    recovered = KpiRecovered(**alert.model_dump(), recovered_at=NOW + timedelta(hours=3))

    parsed = parse_event(new_event(recovered, source="evaluation", tenant=CUIYUAN, subject="acknowledged")
                         .model_dump_json())

    assert parsed.type == "kpi.recovered" and parsed.data.alert_id == alert.alert_id


def test_an_alert_needs_something_counted_and_a_share_between_0_and_1() -> None:
    with pytest.raises(ValidationError):
        _alert(denominator=0)
    with pytest.raises(ValidationError):
        _alert(value=1.5)
