"""调解不罚 from Kafka: a kept agreement with grounds decides one case no_penalty_mediated, however often
delivered; a mediation's earlier case is decided rather than doubled; no grounds, no case.

In a module of its own: the case-penalty started here must be the only member of its consumer group.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from oneteam_contracts import MediationAgreementKept, MediationFailed, MediationFailure
from oneteam_devstack.testing import Infra, serve

from .conftest import COMMANDER, build_app, case_events, case_settings, publish

pytestmark = pytest.mark.integration


async def cases_of(client: Any, mediation_id: str, want: int = 1, timeout: float = 30.0,
                   state: str | None = None) -> list[dict[str, Any]]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    found: list[dict[str, Any]] = []
    while loop.time() < deadline:
        listed = (await client.get("/v1/cases", headers=COMMANDER)).json()
        found = [c for c in listed if c["case"]["mediation_id"] == mediation_id
                 and (state is None or c["case"]["state"] == state)]
        if len(found) >= want:
            return found
        await asyncio.sleep(0.2)
    return found


def kept(grounds: bool = True, incident_id: uuid.UUID | None = None) -> MediationAgreementKept:
    return MediationAgreementKept(mediation_id=uuid.uuid4(), incident_id=incident_id or uuid.uuid4(),
                                  category="dispute", no_penalty_grounds=grounds, kept_at=datetime.now(UTC))


async def test_a_kept_agreement_with_grounds_decides_one_case_no_penalty_mediated_under_redelivery(
        infra: Infra, producer: AIOKafkaProducer) -> None:
    agreement, without = kept(), kept(grounds=False)
    async with serve(build_app(case_settings(infra, background=False))) as client:
        event = await publish(producer, agreement, source="mediation")
        await publish(producer, agreement, event=event)  # the same event again: a redelivery
        await publish(producer, agreement, source="mediation")  # the same agreement in a new event
        await publish(producer, without, source="mediation")
        found = await cases_of(client, str(agreement.mediation_id))
        await asyncio.sleep(2)  # time for any duplicate to land
        found = await cases_of(client, str(agreement.mediation_id), 2, timeout=0.5)
        none = await cases_of(client, str(without.mediation_id), timeout=0.5)
        trail = (await client.get(f"/v1/cases/{found[0]['case']['id']}/trail", headers=COMMANDER)).json()

    assert len(found) == 1 and none == []
    case = found[0]["case"]
    assert case["origin"] == "mediation" and case["state"] == "closed"
    assert case["incident_id"] == str(agreement.incident_id)
    assert case["decision"]["outcome"] == "no_penalty_mediated" and case["decision"]["fine_fen"] == 0
    assert case["decision"]["education"] == "调解协议已履行，对当事人进行了教育"
    assert [e["action"] for e in trail] == ["opened", "decided", "closed"]
    decided = await case_events(infra, case["id"], "case.decided")
    assert len(decided) == 1 and decided[0]["data"]["outcome"] == "no_penalty_mediated"
    closed = await case_events(infra, case["id"], "case.closed")
    assert len(closed) == 1 and closed[0]["data"]["outcome"] == "no_penalty_mediated"
    assert len(await case_events(infra, case["id"], "case.opened")) == 1


async def test_a_mediations_open_case_is_decided_instead_of_a_second_one(
        infra: Infra, producer: AIOKafkaProducer) -> None:
    agreement = kept()
    failed = MediationFailed(request_id=uuid.uuid4(), mediation_id=agreement.mediation_id,
                             incident_id=agreement.incident_id, category="dispute",
                             reason=MediationFailure.NO_AGREEMENT, failed_at=datetime.now(UTC))
    async with serve(build_app(case_settings(infra, background=False))) as client:
        await publish(producer, failed, source="mediation")
        first = await cases_of(client, str(agreement.mediation_id))
        await publish(producer, agreement, source="mediation")
        decided = await cases_of(client, str(agreement.mediation_id), state="closed")
        await asyncio.sleep(1)
        every = await cases_of(client, str(agreement.mediation_id), 2, timeout=0.5)

    assert len(every) == 1 and decided[0]["case"]["id"] == first[0]["case"]["id"]
    assert decided[0]["case"]["decision"]["outcome"] == "no_penalty_mediated"
