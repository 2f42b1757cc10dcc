"""Outbox rows for intake's events, as a statement built once and its values."""

from __future__ import annotations

from typing import Any

from oneteam_contracts import Envelope, spec_for_type, to_kafka
from oneteam_eventbus.tables import outbox
from oneteam_eventbus.tracing import with_trace
from oneteam_intake.store.prepared import insert_all, named
from oneteam_servicekit.db import Prepared

_INSERT = insert_all(outbox, "event_", skip=("seq", "created_at", "sent_at"))


def outbox_row(event: Envelope[Any]) -> dict[str, Any]:
    """The outbox row `oneteam_eventbus.outbox.event_row` inserts for `event`, as plain values.

    A copy of its six lines (that module is the event bus's to change): a unit test holds the two equal.
    """
    spec = spec_for_type(event.type, event.schema_version)
    record = to_kafka(with_trace(event))
    return {"event_id": event.id, "event_type": event.type, "topic": spec.topic.name, "key": record.key,
            "headers": [[name, value.decode()] for name, value in record.headers], "payload": record.value}


def insertion(event: Envelope[Any]) -> Prepared:
    """The statement staging `event` in the outbox, and its values."""
    return _INSERT, named("event_", outbox_row(event))
