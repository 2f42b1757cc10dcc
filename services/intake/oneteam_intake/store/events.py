"""Outbox rows for intake's events, as a statement built once and its values."""

from __future__ import annotations

from typing import Any

from oneteam_contracts import Envelope
from oneteam_eventbus.outbox import outbox_values
from oneteam_eventbus.tables import outbox
from oneteam_intake.store.prepared import insert_all, named
from oneteam_servicekit.db import Prepared

_INSERT = insert_all(outbox, "event_", skip=("seq", "created_at", "sent_at"))


def insertion(event: Envelope[Any]) -> Prepared:
    """The statement staging `event` in the outbox, and its values."""
    return _INSERT, named("event_", outbox_values(event))
