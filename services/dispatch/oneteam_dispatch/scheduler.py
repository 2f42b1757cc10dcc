"""The deadline scheduler: each 1-3-5-8 deadline fires exactly once, across replicas and restarts.

Deadlines are rows. Every replica polls for due, unfired rows with ``FOR UPDATE SKIP
LOCKED`` (together with their assignment and incident rows, so the scheduler never waits
behind an officer's request: see ``oneteam_dispatch.locks``); the one that locks a row
handles it and marks it fired in the same transaction, so a row is handled once even with
two replicas, and a row that came due while every replica was down is handled after the
restart.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from oneteam_contracts import EscalationReason
from oneteam_dispatch import lifecycle
from oneteam_dispatch.domain.deadlines import escalate, on_deadline
from oneteam_dispatch.events import emit
from oneteam_dispatch.runtime import DispatchRuntime
from oneteam_dispatch.store import assignments as assignment_store

log = logging.getLogger(__name__)


class Scheduler:
    """The loop that fires due deadlines."""

    def __init__(self, runtime: DispatchRuntime) -> None:
        self._runtime = runtime
        self.fired = 0  # deadlines this replica handled (breached or not), for tests and metrics

    async def run(self) -> None:
        """Fire due deadlines until cancelled."""
        while True:
            try:
                while await self.run_once() > 0:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("deadline check failed; will retry")
            await asyncio.sleep(self._runtime.dispatch_settings.scheduler_poll_s)

    async def run_once(self, limit: int = 50) -> int:
        """Handle the deadlines due now; returns how many."""
        runtime = self._runtime
        async with runtime.transaction() as session:
            now = runtime.clock.now()
            due = await assignment_store.due_deadlines(session, now, limit)
            for assignment_id, stage, at in due:
                await assignment_store.mark_fired(session, assignment_id, stage, at, now)
                a = await assignment_store.get_assignment(session, assignment_id, for_update=True)
                missed = on_deadline(a, stage, at, now) if a is not None else None
                if a is None or missed is None:
                    continue
                await emit(session, missed.breach, tenant=a.tenant, subject=a.id)
                log.warning("assignment %s missed its %s deadline", a.id, stage.value)
                if missed.reassign:
                    await lifecycle.reassign_automatically(runtime, session, a, set(missed.reassign),
                                                           f"not acknowledged within the {stage.value} deadline", now)
                elif missed.escalate:
                    after, event = escalate(a, stage, EscalationReason.DEADLINE_MISSED, now)
                    await assignment_store.save_assignment(session, after, now)
                    await emit(session, event, tenant=a.tenant, subject=a.id)
            if due:
                await assignment_store.purge_fired(session, now - timedelta(days=7))
        self.fired += len(due)
        return len(due)
