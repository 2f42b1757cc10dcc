"""in_runs: a fetch's events keep their order; runs of one bulk type go to its handler together."""

import asyncio
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from oneteam_contracts import Envelope, GeoPoint, IncidentMerged, IncidentReported, Priority, new_event
from oneteam_eventbus import correlation_id, in_runs


def _reported() -> Envelope[Any]:
    data = IncidentReported(incident_id=uuid4(), report_id=uuid4(), category="noise", source="patrol",
                            priority="normal", location=GeoPoint(lon=120.1, lat=30.2), reported_at=datetime.now(UTC))
    return new_event(data, source="intake", tenant="330106004", subject=str(data.incident_id))


def _merged() -> Envelope[Any]:
    data = IncidentMerged(incident_id=uuid4(), report_id=uuid4(), source="patrol", report_count=2,
                          priority=Priority.URGENT, merged_at=datetime.now(UTC))
    return new_event(data, source="intake", tenant="330106004", subject=str(data.incident_id))


def test_runs_of_the_bulk_type_are_handled_together_and_in_order_with_the_rest() -> None:
    seen: list[tuple[str, list[Any], str | None]] = []

    async def one(session: Any, event: Envelope[Any]) -> None:
        seen.append(("one", [event.id], correlation_id.get()))

    async def many(session: Any, events: list[Envelope[Any]]) -> None:
        seen.append(("many", [e.id for e in events], None))

    handle = in_runs({"incident.reported": one, "incident.merged": one}, {"incident.reported": many})
    r1, r2, m, r3 = _reported(), _reported(), _merged(), _reported()
    asyncio.run(handle(None, [r1, r2, m, r3]))  # type: ignore[arg-type]

    assert seen == [("many", [r1.id, r2.id], None), ("one", [m.id], str(m.correlation_id)), ("many", [r3.id], None)]


def test_a_fetch_without_the_bulk_type_goes_event_by_event() -> None:
    seen: list[Any] = []

    async def one(session: Any, event: Envelope[Any]) -> None:
        seen.append(event.id)

    async def many(session: Any, events: list[Envelope[Any]]) -> None:
        raise AssertionError("no reported incident was fetched")

    merged = [_merged(), _merged()]
    asyncio.run(in_runs({"incident.merged": one}, {"incident.reported": many})(None, merged))  # type: ignore[arg-type]
    assert seen == [e.id for e in merged]
