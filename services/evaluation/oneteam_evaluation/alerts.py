"""kpi.alert: each tenant's targets looked at every `EVALUATION_ALERT_INTERVAL_S`, breaches published once.

Looked at on a timer rather than per event: the window rolls, so a KPI can fall below or come
back with no event at all (an old miss leaving the window), and a look costs one query of the
window however many events came. The breach rows and the events go in one transaction through
the outbox, so a restart or a second replica never publishes a breach twice.

A look judges nothing while the read model may be incomplete (`domain.alerts.hold`): during a
rebuild, and while evaluation's consumer group catches up after downtime (every replica's
partitions, as the broker's commits say). It says why in a log line and counts the look in
`oneteam_kpi_looks_held_total{reason}`.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from prometheus_client import Counter

from oneteam_contracts import KpiAlert, KpiRecovered, new_event
from oneteam_evaluation.domain.alerts import Change, Hold, Transition, hold, transitions
from oneteam_evaluation.queries import standing
from oneteam_evaluation.runtime import EvaluationRuntime, generation
from oneteam_evaluation.store import breaches as store
from oneteam_evaluation.store.reads import tenants
from oneteam_eventbus import add_event

log = logging.getLogger(__name__)
# More left to commit than a live subdistrict's stream holds at once (a few events a second) is a catch-up.
MAX_LAG = 200
HELD = Counter("oneteam_kpi_looks_held_total", "Looks at the KPI targets that judged nothing, the read model "
               "being incomplete", ["reason"])


async def check(runtime: EvaluationRuntime, tenant: str, max_lag: int = MAX_LAG) -> list[Transition]:
    """Raise and close the tenant's breaches as its standings now say; the transitions made."""
    start, end, found = await standing(runtime, tenant)
    async with runtime.transaction() as session:
        await store.lock_tenant(session, tenant)
        if await generation(session) != runtime.generation:
            return []  # a rebuild began after the look was allowed: the standing may be of half a replay
        made = transitions(found, await store.open_breaches(session, tenant), end, iter(uuid.uuid4, None))
        if made and (late := await held(runtime, max_lag)) is not None:
            # The group fell behind after the look was allowed and before the standing was
            # read (a backlog landed on another member's partitions meanwhile; seen on Apache
            # Kafka in CI): the verdict may be of part of the stream. Asked again only when
            # there is a verdict to publish, so a quiet look costs no more broker round trips.
            HELD.labels(late.reason).inc()
            log.info("KPI targets of %s not judged: %s", tenant, late.detail)
            return []
        for t in made:
            s = t.standing
            assert s.value is not None  # a transition always has a verdict
            facts = {"alert_id": t.breach.alert_id, "tenant": tenant, "kpi": s.kpi, "value": s.value,
                     "target": s.target, "numerator": s.numerator, "denominator": s.denominator,
                     "window_start": start, "window_end": end, "breach_started_at": t.breach.started_at}
            data: KpiAlert | KpiRecovered
            if t.change is Change.RAISED:
                await store.raise_breach(session, tenant, t.breach, s.value, s.target)
                data = KpiAlert(**facts)
            else:
                await store.close_breach(session, t.breach, end)
                data = KpiRecovered(**facts, recovered_at=end)
            await add_event(session, new_event(data, source="evaluation", tenant=tenant, subject=s.kpi, time=end))
    return made


async def held(runtime: EvaluationRuntime, max_lag: int = MAX_LAG) -> Hold | None:
    """Why the read model must not be judged now (a rebuild, consumers behind); None when it may be."""
    async with runtime.sessions() as session:
        stored = await generation(session)
    # The group's lag, from the broker, not this member's: a replica caught up on its own
    # partitions would otherwise judge while another still catches up on the rest.
    lags = {consumer.group: None if consumer.lag is None else await consumer.group_lag()
            for consumer, _ in runtime.consumers}
    return hold(stored, runtime.generation, lags, max_lag)


async def check_all(runtime: EvaluationRuntime, max_lag: int = MAX_LAG) -> int:
    """One look at every tenant's targets unless the read model is incomplete; the alerts and recoveries published."""
    reason = await held(runtime, max_lag)
    if reason is not None:
        HELD.labels(reason.reason).inc()
        log.info("KPI targets not judged: %s", reason.detail)
        return 0
    async with runtime.sessions() as session:
        known = await tenants(session)
    made = 0
    for tenant in known:
        made += len(await check(runtime, tenant, max_lag))
    return made


async def watch(runtime: EvaluationRuntime) -> None:
    """Look at the targets every interval until cancelled; a failed look is logged and retried next time."""
    interval = runtime.evaluation_settings.alert_interval_s
    while True:
        await asyncio.sleep(interval)
        try:
            made = await check_all(runtime, runtime.evaluation_settings.alert_max_lag)
            if made:
                log.info("KPI targets: %d alerts or recoveries published", made)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("KPI targets not checked; trying again in %.0f s", interval)
