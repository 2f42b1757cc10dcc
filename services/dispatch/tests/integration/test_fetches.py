"""A fetch of intake's events handled in one transaction: runs of reports and of merges each
in one statement, every event in fetch order, with the effects the one-by-one path has.

The handler is called as the consumer calls it, on a real database; no Kafka is needed.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from oneteam_contracts import (
    Envelope,
    GeoPoint,
    IncidentClosed,
    IncidentMerged,
    IncidentReported,
    IncidentResolution,
    Priority,
    new_event,
)
from oneteam_devstack.testing import Infra
from oneteam_dispatch.handlers import SUBSCRIPTIONS
from oneteam_dispatch.main import build
from oneteam_dispatch.runtime import DispatchRuntime
from oneteam_dispatch.store import incidents as incident_store

from .conftest import TENANT, Area, dispatch_settings, served

pytestmark = pytest.mark.integration


def _event(data: Any) -> Envelope[Any]:
    return new_event(data, source="intake", tenant=TENANT, subject=str(data.incident_id))


def _reported(incident_id: uuid.UUID, at: dict[str, float]) -> Envelope[Any]:
    return _event(IncidentReported(incident_id=incident_id, report_id=uuid.uuid4(), category="street_vending",
                                   source="patrol", priority=Priority.NORMAL, location=GeoPoint(**at),
                                   reported_at=datetime.now(UTC)))


def _merged(incident_id: uuid.UUID, priority: Priority, count: int) -> Envelope[Any]:
    return _event(IncidentMerged(incident_id=incident_id, report_id=uuid.uuid4(), source="patrol",
                                 report_count=count, priority=priority, merged_at=datetime.now(UTC)))


async def test_a_fetch_keeps_its_order_across_reports_merges_and_a_closing(
    infra: Infra, config_dir: Path, area: Area,
) -> None:
    app = build(dispatch_settings(infra, config_dir, background=False, consume_incidents=False))
    first, second, closed = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    fetch = [
        _reported(first, area.at()), _reported(closed, area.at(300)),
        _merged(first, Priority.URGENT, 2), _merged(first, Priority.HIGH, 3),  # the later merge wins
        _event(IncidentClosed(incident_id=closed, resolution=IncidentResolution.RESOLVED_ON_SITE,
                              closed_at=datetime.now(UTC))),
        _merged(closed, Priority.URGENT, 2),  # after the closing: a closed incident keeps its priority
        _reported(second, area.at(600)), _reported(first, area.at()),  # a redelivered report: kept once
    ]
    handle = SUBSCRIPTIONS[0].batch_handler
    assert handle is not None
    async with served(app):
        runtime: DispatchRuntime = app.state.runtime
        async with runtime.transaction() as session:
            await handle(session, fetch)
        async with runtime.transaction() as session:
            got = {i: await incident_store.get_incident(session, i) for i in (first, second, closed)}

    assert {i: (row.state, row.priority) for i, row in got.items() if row is not None} == {
        first: ("pending", Priority.HIGH), second: ("pending", Priority.NORMAL), closed: ("closed", Priority.NORMAL)}
