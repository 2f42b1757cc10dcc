"""Group commit of mobile apps' reports: those that arrive while one transaction runs go together in the next.

Sent one transaction each, a report cost some eight round trips (begin, the idempotency claim,
the category lock and the nearby search, the joined incident's row lock, the writes, the
idempotency answer, commit), and py-spy put ~40 % of intake's CPU at 300 reports/s under
SQLAlchemy and asyncpg. Here the reports waiting when a transaction starts are decided together,
with the statements a camera batch uses (`store.batches`, `domain.detections.BatchPlacement`,
the same rules in the order received): one claim of every Idempotency-Key, one statement for the
category locks, one search, one write. A report that finds no transaction running goes at once
(no timer), so a quiet intake answers as fast as before; under load a transaction carries what
arrived during the previous one. A report is answered after the commit, so a 201 still means
stored. If a transaction fails, each of its reports runs again alone, the way a report always
ran (`Intake.submit`): one report's fault cannot fail the others, and each gets its own answer.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_contracts import new_event
from oneteam_eventbus.outbox import outbox_values
from oneteam_intake.domain.catalog import Category
from oneteam_intake.domain.detections import BatchPlacement
from oneteam_intake.domain.geography import Placement
from oneteam_intake.domain.merging import search_box
from oneteam_intake.domain.reports import Incident, Merged, NewReport, Opened, ReportState
from oneteam_intake.service import (
    SOURCE,
    Intake,
    Receipt,
    Submission,
    category_lock,
    correlation,
    photos_missing,
)
from oneteam_intake.store import batches, incidents, reports
from oneteam_servicekit import idempotency as idem
from oneteam_servicekit.db import Writes
from oneteam_servicekit.errors import DomainError

log = logging.getLogger(__name__)

SCOPE = "reports"  # the idempotency scope of POST /v1/reports
Answer = tuple[int, dict[str, Any]]  # the HTTP status and body a report gets
Render = Callable[[Receipt], dict[str, Any]]


@dataclass
class Pending:
    """One report waiting for its transaction, and the answer its request waits for."""

    submission: Submission
    key: str | None  # the Idempotency-Key (or client_report_id)
    fingerprint: str
    caller: str  # whose key it is (`idem.caller_of`)
    # The request's context (correlation id, trace): its event is built in it, and it runs alone in it.
    context: contextvars.Context = field(default_factory=contextvars.copy_context)
    answer: asyncio.Future[Answer] = field(default_factory=lambda: asyncio.get_running_loop().create_future())

    def give(self, answer: Answer | None = None, error: BaseException | None = None) -> None:
        if self.answer.done():  # the caller went away; what was stored stays stored
            return
        if error is not None:
            self.answer.set_exception(error)
        else:
            assert answer is not None
            self.answer.set_result(answer)


@dataclass
class _Placed:
    """A report of the transaction that passed the checks, as it will be stored."""

    pending: Pending
    placement: Placement
    category: Category | None
    report_id: UUID = field(default_factory=uuid4)


class ReportBatcher:
    """One process's reports from mobile apps, committed a group at a time."""

    def __init__(self, transaction: Callable[[], AbstractAsyncContextManager[AsyncSession]], intake: Intake,
                 render: Render, max_group: int = 64, in_flight: int = 2) -> None:
        self._transaction = transaction
        self._intake = intake
        self._render = render  # the answer's body (and the stored idempotent answer) for a receipt
        self._max_group = max_group
        # Two transactions at a time: the second begins and claims its keys while the first holds
        # the category locks, and takes them the moment the first commits.
        self._in_flight = in_flight
        self._pending: list[Pending] = []
        self._runners: set[asyncio.Task[None]] = set()
        self.groups = 0  # committed group transactions, for tests
        self.alone = 0  # reports run alone after their group failed

    async def submit(self, pending: Pending) -> Answer:
        """Queue a validated report and wait until its transaction has committed (or refused it)."""
        self._pending.append(pending)
        if len(self._runners) < self._in_flight:
            # A task of its own, so a caller that hangs up cannot cancel the others' transaction.
            runner = asyncio.create_task(self._run(), name="intake-reports")
            self._runners.add(runner)
            runner.add_done_callback(self._runners.discard)
        return await pending.answer

    async def _run(self) -> None:
        while self._pending:
            group: list[Pending] = []
            later: list[Pending] = []
            keys: set[tuple[str, str]] = set()
            for pending in self._pending:
                claim = (pending.caller, pending.key) if pending.key is not None else None
                if len(group) >= self._max_group or (claim is not None and claim in keys):
                    later.append(pending)  # a repeat of a key waits for the first's answer, then replays it
                    continue
                if claim is not None:
                    keys.add(claim)
                group.append(pending)
            self._pending = later
            try:
                answers = await self._together(group)
                self.groups += 1
            except Exception as error:  # each report then meets its own fault alone
                log.info("a group of %d reports failed together (%s: %s); each runs alone", len(group),
                         type(error).__name__, error)
                for pending in group:
                    await asyncio.create_task(self._alone(pending), context=pending.context)
                continue
            for pending, answer in answers:
                if isinstance(answer, BaseException):
                    pending.give(error=answer)
                else:
                    pending.give(answer)

    async def _alone(self, pending: Pending) -> None:
        """The report in a transaction of its own (run in its request's context)."""
        self.alone += 1
        try:
            pending.give(await self._submit_alone(pending))
        except Exception as error:  # the request raises it, as if it had run there
            pending.give(error=error)

    async def _submit_alone(self, pending: Pending) -> Answer:
        async with self._transaction() as session:
            if pending.key is not None:
                earlier = await idem.claim(session, SCOPE, pending.key, pending.fingerprint, caller=pending.caller)
                if earlier is not None:
                    return earlier.status, earlier.body
            writes = Writes()
            receipt = await self._intake.submit(session, pending.submission, writes=writes)
            body = self._render(receipt)
            if pending.key is not None:
                writes.add(idem.prepared_answer(SCOPE, pending.key, 201, body, caller=pending.caller))
            await writes.run(session)  # the report's rows and the stored answer in one round trip
        return 201, body

    async def _together(self, group: list[Pending]) -> list[tuple[Pending, Answer | BaseException]]:
        """The group in one transaction: what each report gets (an answer, or the error it raises)."""
        intake = self._intake
        answers: list[tuple[Pending, Answer | BaseException]] = []
        placed: list[_Placed] = []
        for pending in group:  # what needs no database: the tenant's areas and the catalog
            sub = pending.submission
            try:
                category = intake.catalog.require(sub.category, sub.category_field) if sub.category else None
                placed.append(_Placed(pending, intake.areas.locate(sub.tenant, sub.location), category))
            except DomainError as refused:
                answers.append((pending, refused))
        async with self._transaction() as session:
            placed = await self._check_photos(session, placed, answers)
            earlier = await idem.claim_many(session, SCOPE, [(p.pending.caller, p.pending.key, p.pending.fingerprint)
                                                             for p in placed if p.pending.key is not None])
            fresh = []
            for item in placed:
                found = earlier.get((item.pending.caller, item.pending.key or ""))
                if found is None:
                    fresh.append(item)
                else:
                    answers.append((item.pending, found if isinstance(found, BaseException)
                                    else (found.status, found.body)))
            accepted = [item for item in fresh if item.category is not None]
            await incidents.lock_all(session, sorted({category_lock(item.pending.submission.tenant,
                                                                    item.category.code)
                                                      for item in accepted if item.category is not None}))
            plan = await self._decide(session, accepted)
            answers += await self._write(session, fresh, plan)
        return answers

    async def _check_photos(self, session: AsyncSession, placed: list[_Placed],
                            answers: list[tuple[Pending, Answer | BaseException]]) -> list[_Placed]:
        """Those of `placed` whose photos were all uploaded; the others are refused."""
        wanted = sorted({photo for item in placed for photo in item.pending.submission.photo_ids})
        if not wanted:
            return placed
        missing = set(await reports.missing_photos(session, wanted))
        kept = []
        for item in placed:
            absent = [photo for photo in item.pending.submission.photo_ids if photo in missing]
            if absent:
                answers.append((item.pending, photos_missing(absent)))
            else:
                kept.append(item)
        return kept

    async def _decide(self, session: AsyncSession, accepted: list[_Placed]) -> _Decided:
        """Place the accepted reports on what the database holds, locking the incidents joined."""
        decided = await self._plan(session, accepted, lock=False)
        joined = [incident.id for incident in decided.plan.merged_earlier()]
        current = await batches.lock_joined(session, joined)
        if any(current.get(incident_id) != decided.loaded[incident_id] for incident_id in joined):
            # One changed between the read and its lock (dispatch moved it on, staff closed it):
            # decide the group again on every candidate locked, as it stands now.
            decided = await self._plan(session, accepted, lock=True)
        return decided

    async def _plan(self, session: AsyncSession, accepted: list[_Placed], *, lock: bool) -> _Decided:
        intake = self._intake
        now = intake.clock.now()
        searches = sorted({(item.pending.submission.tenant, item.category.code,
                            search_box(item.pending.submission.location, item.category.dedup_radius_m),
                            now - item.category.dedup_window) for item in accepted if item.category is not None})
        known = await batches.incidents_for(session, [], searches, lock=lock)
        plan = BatchPlacement(intake.catalog, known, {})
        outcomes: dict[UUID, Opened | Merged] = {}
        for item in accepted:
            assert item.category is not None
            sub = item.pending.submission
            report = NewReport(sub.tenant, item.category.code, sub.description, sub.location, sub.source)
            outcomes[item.report_id] = plan.place(item.report_id, report, item.category, item.placement, now)
        return _Decided(plan, {incident.id: incident for incident in known}, outcomes, now)

    async def _write(self, session: AsyncSession, fresh: list[_Placed],
                     decided: _Decided) -> list[tuple[Pending, Answer]]:
        """Store the fresh reports, their incidents and events, and the idempotent answers."""
        report_rows, contacts, events, stored = [], [], [], []
        answers: list[tuple[Pending, Answer]] = []
        for item in fresh:
            pending, sub = item.pending, item.pending.submission
            outcome = decided.outcomes.get(item.report_id)
            incident: Incident | None = outcome.incident if outcome is not None else None
            if outcome is not None:
                event = new_event(outcome.event(), source=SOURCE, tenant=sub.tenant, subject=str(outcome.incident.id),
                                  correlation_id=pending.context.run(correlation))
                events.append(pending.context.run(outbox_values, event))  # the request's trace goes with it
            state = ReportState.ACCEPTED if incident is not None else ReportState.TRIAGE
            report_rows.append({
                "id": item.report_id, "incident_id": incident.id if incident else None, "tenant": sub.tenant,
                "source": sub.source.value, "client_report_id": sub.client_report_id, "received_at": decided.now,
                "state": state.value, "category": sub.category, "description": sub.description,
                "lon": sub.location.lon, "lat": sub.location.lat, "district": item.placement.district,
                "grid": item.placement.grid, "origin": None, "external_id": None,
                "reporter_subject": sub.reporter_subject, "photo_ids": list(sub.photo_ids), "detail": None,
            })
            if sub.contact is not None and not sub.contact.is_empty():
                contacts.append({"report_id": item.report_id, "name": sub.contact.name, "phone": sub.contact.phone,
                                 "email": sub.contact.email})
            body = self._render(Receipt(item.report_id, sub.tenant, state, decided.now, incident,
                                        isinstance(outcome, Merged), False, item.placement.district,
                                        item.placement.grid, sub.category))
            if pending.key is not None:
                stored.append((pending.caller, pending.key, 201, body))
            answers.append((pending, (201, body)))
        await batches.write(session, opened=decided.plan.opened_now(), merged=decided.plan.merged_earlier(),
                            report_rows=report_rows, events=events, contacts=contacts)
        await idem.remember_many(session, SCOPE, stored)
        return answers


@dataclass(frozen=True)
class _Decided:
    plan: BatchPlacement
    loaded: dict[UUID, Incident]  # the incidents as read, to see whether one changed before its lock
    outcomes: dict[UUID, Opened | Merged]  # by report id, for the accepted reports
    now: datetime
