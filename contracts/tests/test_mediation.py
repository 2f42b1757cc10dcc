"""Mediation messages: on their own topic, keyed by the mediation, and free of personal data."""

from uuid import UUID

import pytest
from pydantic import ValidationError

from oneteam_contracts import (
    MEDIATIONS,
    MediationConcluded,
    MediationOpened,
    MediationOrigin,
    MediationOutcome,
    new_event,
    parse_event,
    partition_key,
    spec_for,
)

from .samples import CUIYUAN, INCIDENT_ID, NOW

MEDIATION_ID = UUID("5d7e2f10-4c3b-4a29-9e8d-7f6a5b4c3d2e")


def test_an_opened_mediation_round_trips_on_the_mediations_topic_keyed_by_its_id() -> None:
    data = MediationOpened(mediation_id=MEDIATION_ID, origin=MediationOrigin.REQUEST, incident_id=INCIDENT_ID,
                           category="dispute", dispute_type="neighbour", parties=2, opened_at=NOW)
    event = new_event(data, source="mediation", tenant=CUIYUAN, subject=str(MEDIATION_ID))

    assert parse_event(event.model_dump_json()).data == data
    assert spec_for(data).topic is MEDIATIONS and partition_key(event) == str(MEDIATION_ID).encode()


def test_a_conclusion_counts_front_line_resolution_by_its_outcome() -> None:
    data = MediationConcluded(mediation_id=MEDIATION_ID, origin=MediationOrigin.ON_SITE, category="dispute",
                              outcome=MediationOutcome.RESOLVED_ON_SITE, on_time=True, concluded_at=NOW)

    assert parse_event(new_event(data, source="mediation", tenant=CUIYUAN,
                                 subject=str(MEDIATION_ID)).model_dump_json()).data.outcome == "resolved_on_site"


def test_a_party_name_cannot_be_smuggled_onto_the_topic() -> None:
    with pytest.raises(ValidationError):
        MediationOpened.model_validate({"mediation_id": str(MEDIATION_ID), "origin": "walk_in", "category": "dispute",
                                        "dispute_type": "neighbour", "parties": 2, "opened_at": NOW.isoformat(),
                                        "party_name": "张三"})
