"""The read model is the same whatever order its events come in, and equals a recount from scratch.

Events are applied straight through the handlers (no broker), in the order they happened and
in shuffled orders, each into a database of its own; every table must come out the same.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from oneteam_contracts import (
    AssignmentAcknowledged,
    AssignmentCreated,
    AssignmentReassigned,
    CaseDecided,
    CaseOpened,
    CaseOrigin,
    DiscretionDecision,
    Envelope,
    FeedbackReceived,
    IncidentClosed,
    IncidentMerged,
    IncidentResolution,
    MediationConcluded,
    MediationOrigin,
    MediationOutcome,
    Procedure,
    ReportSource,
    Satisfaction,
    new_event,
)
from oneteam_devstack.testing import Infra
from oneteam_evaluation.domain.figures import Period, figures
from oneteam_evaluation.domain.kpis import KPIS
from oneteam_evaluation.domain.rules import Rules
from oneteam_evaluation.handlers import apply as apply_events
from oneteam_evaluation.runtime import MIGRATIONS
from oneteam_evaluation.store.reads import load_facts
from oneteam_evaluation.store.tables import READ_MODEL
from oneteam_servicekit import migrations
from oneteam_servicekit.db import make_engine, make_sessions

from .scenario import EXPECTED, envelopes, morning, random_morning

pytestmark = pytest.mark.integration
TENANT = "330106004"
START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


async def apply(infra: Infra, events: list[Envelope[Any]], kpis: Any = EXPECTED,
                batches: list[int] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Apply `events` in the given order to a fresh database; its tables' rows and the morning's shares.

    One event per transaction, or batches of the given sizes (cycled), as the live consumer's
    fetches and the rebuild apply them.
    """
    url = infra.fresh_database("evaluation_order")
    await migrations.upgrade(MIGRATIONS, url)
    engine = make_engine(url)
    sessions = make_sessions(engine)
    try:
        sizes, done = iter((batches or [1]) * len(events)), 0
        while done < len(events):
            size = next(sizes)
            async with sessions.begin() as session:
                await apply_events(session, events[done:done + size])
            done += size
        async with sessions() as session:
            rows = {t.name: sorted(map(repr, (await session.execute(select(t))).all())) for t in READ_MODEL}
            facts = await load_facts(session, TENANT, START - timedelta(hours=1), START + timedelta(days=1),
                                     timedelta(days=7))
    finally:
        await engine.dispose()
    now = START + timedelta(days=2)
    shares: dict[str, Any] = {}
    for kpi in kpis:
        found = figures(KPIS[kpi].compute(facts, Rules(TENANT), now), Period.ALL, "tenant", UTC)
        shares[kpi] = (found[0].numerator, found[0].denominator) if found else None
    return rows, shares


async def test_shuffled_histories_build_the_same_read_model_and_figures_as_the_ordered_one(infra: Infra) -> None:
    history = envelopes(morning(START), TENANT)
    ordered_rows, ordered_shares = await apply(infra, history)

    assert ordered_shares == EXPECTED
    for seed in range(3):
        shuffled = history[:]
        random.Random(seed).shuffle(shuffled)
        rows, shares = await apply(infra, shuffled)
        assert rows == ordered_rows, f"seed {seed}"
        assert shares == EXPECTED


@pytest.mark.parametrize("seed", [1, 2])
async def test_random_histories_in_any_order_equal_the_recount_in_event_order(infra: Infra, seed: int) -> None:
    rng = random.Random(seed)
    history = envelopes(random_morning(rng, START), TENANT)
    recount = await apply(infra, history, KPIS)
    shuffled = history[:]
    rng.shuffle(shuffled)

    assert await apply(infra, shuffled, KPIS) == recount


def second_thoughts(rng: random.Random, drawn: list[Any]) -> list[Any]:
    """Events that disagree with earlier ones, so that every merge rule has something to choose."""
    later: list[Any] = []
    for d in drawn:
        shift = timedelta(minutes=rng.uniform(-30, 90))
        if isinstance(d, IncidentClosed):  # reopened and closed again, otherwise
            later.append(d.model_copy(update={"closed_at": d.closed_at + abs(shift),
                                              "resolution": rng.choice(list(IncidentResolution))}))
        elif isinstance(d, FeedbackReceived):  # the reporter rates again
            later.append(d.model_copy(update={"rating": rng.choice(list(Satisfaction)),
                                              "received_at": d.received_at + shift}))
        elif isinstance(d, AssignmentAcknowledged):  # the app's retry, with the phone's other clock
            later.append(d.model_copy(update={"acknowledged_at": d.acknowledged_at + shift}))
        elif isinstance(d, AssignmentCreated):
            later.append(AssignmentReassigned(assignment_id=d.assignment_id, incident_id=d.incident_id,
                                              to_officer_ids=[f"o-{rng.randrange(3)}"], reason="busy",
                                              reassigned_at=d.created_at + abs(shift)))
            later.append(IncidentMerged(incident_id=d.incident_id, report_id=uuid.uuid4(), source=d_source(rng),
                                        report_count=rng.randint(2, 4), priority=d.priority,
                                        merged_at=d.created_at + abs(shift)))
    return [d for d in later if rng.random() < 0.7]


def d_source(rng: random.Random) -> ReportSource:
    return rng.choice(list(ReportSource))


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10_000), batches=st.lists(st.integers(1, 60), min_size=1, max_size=4),
       repeats=st.integers(0, 10))
async def test_facts_applied_in_random_batches_and_orders_equal_a_recount_one_event_at_a_time(
        infra: Infra, seed: int, batches: list[int], repeats: int) -> None:
    # The property behind the live consumer's and the rebuild's batches: the in-memory merge
    # of a batch and the database's merge of what is stored are the same rules.
    rng = random.Random(seed)
    drawn = random_morning(rng, START, incidents=rng.randint(1, 8))
    history = envelopes(drawn + second_thoughts(rng, drawn), TENANT)
    recount = await apply(infra, history, KPIS)
    replayed = history + rng.sample(history, min(repeats, len(history)))  # some events delivered again
    rng.shuffle(replayed)

    assert await apply(infra, replayed, KPIS, batches) == recount


async def test_a_dispute_settled_by_mediation_on_site_counts_as_resolved_at_the_front_line(infra: Infra) -> None:
    incident_id, mediation_id = uuid.uuid4(), uuid.uuid4()
    history = envelopes(morning(START)[:1], TENANT)  # one report, to be replaced by this incident's
    reported = history[0].data.model_copy(update={"incident_id": incident_id})
    closed = IncidentClosed(incident_id=incident_id, resolution=IncidentResolution.SENT_TO_MEDIATION,
                            closed_at=START + timedelta(minutes=20))
    concluded = MediationConcluded(mediation_id=mediation_id, origin=MediationOrigin.REQUEST, incident_id=incident_id,
                                   category="neighbour_dispute", outcome=MediationOutcome.RESOLVED_ON_SITE,
                                   on_time=True, concluded_at=START + timedelta(minutes=50))
    events = [new_event(d, source="test", tenant=TENANT, subject=str(incident_id))
              for d in (reported, closed, concluded)]

    in_order = await apply(infra, events, ["front_line_resolution", "mediation_success"])
    reversed_order = await apply(infra, events[::-1], ["front_line_resolution", "mediation_success"])

    assert in_order == reversed_order
    assert in_order[1] == {"front_line_resolution": (1, 1), "mediation_success": (1, 1)}


async def test_applying_every_event_twice_changes_nothing_so_the_rebuild_needs_no_inbox(infra: Infra) -> None:
    history = envelopes(random_morning(random.Random(5), START), TENANT)

    assert await apply(infra, history + history[::-1], KPIS) == await apply(infra, history, KPIS)


async def test_a_cases_decision_names_its_departments_whichever_of_opening_and_decision_comes_first(
        infra: Infra) -> None:
    case_id = uuid.uuid4()
    opened = CaseOpened(case_id=case_id, origin=CaseOrigin.REQUEST, procedure=Procedure.GENERAL,
                        category="street_vending", departments=["comprehensive_enforcement"], opened_at=START)
    decided = CaseDecided(case_id=case_id, procedure=Procedure.GENERAL, category="street_vending",
                          outcome=DiscretionDecision.NO_PENALTY_FIRST, rule_codes=["street_vending_unapproved"],
                          departments=["market_regulation"], fine_fen=0, followed_recommendation=True,
                          decided_at=START + timedelta(hours=2))
    events = [new_event(d, source="case_penalty", tenant=TENANT, subject=str(case_id)) for d in (opened, decided)]

    in_order = await apply(infra, events, ["no_penalty"])
    reversed_order = await apply(infra, events[::-1], ["no_penalty"])

    assert in_order == reversed_order and in_order[1] == {"no_penalty": (1, 1)}
    assert "['market_regulation']" in in_order[0]["ev_cases"][0]


@pytest.mark.parametrize("seed", [3, 4])
async def test_each_kpi_over_only_the_facts_it_declares_equals_it_over_every_fact(infra: Infra, seed: int) -> None:
    # A query loads only the parts its KPI reads; a KPI reading a part it does not declare
    # would count from an empty list there and differ here.
    rng = random.Random(seed)
    drawn: list[Any] = random_morning(rng, START, incidents=8)
    drawn += [  # a case and a mediation, which random mornings do not have
        CaseDecided(case_id=uuid.uuid4(), procedure=Procedure.GENERAL, category="street_vending",
                    outcome=DiscretionDecision.NO_PENALTY_FIRST, rule_codes=["street_vending_unapproved"],
                    departments=["market_regulation"], fine_fen=0, followed_recommendation=True,
                    decided_at=START + timedelta(hours=2)),
        MediationConcluded(mediation_id=uuid.uuid4(), origin=MediationOrigin.REQUEST, incident_id=uuid.uuid4(),
                           category="neighbour_dispute", outcome=MediationOutcome.RESOLVED_ON_SITE,
                           on_time=True, concluded_at=START + timedelta(minutes=50))]
    url = infra.fresh_database("evaluation_parts")
    await migrations.upgrade(MIGRATIONS, url)
    engine = make_engine(url)
    window = (START - timedelta(hours=1), START + timedelta(days=1), timedelta(days=7))
    now = START + timedelta(days=2)
    try:
        async with make_sessions(engine).begin() as session:
            await apply_events(session, envelopes(drawn + second_thoughts(rng, drawn), TENANT))
            every = await load_facts(session, TENANT, *window)
            for name, kpi in KPIS.items():
                only = await load_facts(session, TENANT, *window, parts=kpi.reads)
                # The same samples; their order follows the rows' and means nothing.
                assert (sorted(kpi.compute(only, Rules(TENANT), now), key=_order)
                        == sorted(kpi.compute(every, Rules(TENANT), now), key=_order)), name
    finally:
        await engine.dispose()


def _order(sample: Any) -> tuple[str, datetime, bool]:
    return str(sample.ref), sample.at, sample.hit
