"""The figures of a run: the 1-3-5-8 shares, time to arrival, utilisation, queue sends.

Every stage is timed from the moment the incident is reported, not from the order: an
incident that waits in a queue or a batching window is late for the citizen even if its
order, once made, runs to time. (`arrived_5_after_order_pct` gives the order's own clock.)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from bench_stats import percentile

from .engine import Record, Run


def _within(records: list[Record], stage: str, limit_s: float) -> float:
    hits = 0
    for r in records:
        at = getattr(r, stage)
        if at is not None and at - r.incident.at_s <= limit_s:
            hits += 1
    return 100.0 * hits / len(records) if records else float("nan")


@dataclass(frozen=True)
class Summary:
    """One policy's figures over one shift."""

    policy: str
    incidents: int
    acknowledged_1_min_pct: float
    arrived_5_min_pct: float
    reported_8_min_pct: float
    arrived_5_after_order_pct: float
    mean_arrival_min: float
    p50_arrival_min: float
    p90_arrival_min: float
    utilisation_pct: float
    queue_sends: int
    widened: int
    unserved: int
    rounds: int
    cpu_s: float

    def as_dict(self) -> dict[str, float | int | str]:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def arrival_minutes(run: Run) -> list[float]:
    """Minutes from report to the first officer on scene, for every incident reached."""
    return [(r.arrived - r.incident.at_s) / 60 for r in run.records if r.arrived is not None]


def summarise(run: Run) -> Summary:
    """The figures of `run`."""
    records = run.records
    arrivals = arrival_minutes(run)
    after_order = sum(1 for r in records if r.arrived is not None and r.ordered is not None
                      and r.arrived - r.ordered <= 300)
    return Summary(
        policy=run.policy.name,
        incidents=len(records),
        acknowledged_1_min_pct=_within(records, "acknowledged", 60),
        arrived_5_min_pct=_within(records, "arrived", 300),
        reported_8_min_pct=_within(records, "reported", 480),
        arrived_5_after_order_pct=100.0 * after_order / len(records) if records else float("nan"),
        mean_arrival_min=sum(arrivals) / len(arrivals) if arrivals else float("nan"),
        p50_arrival_min=percentile(arrivals, 50),
        p90_arrival_min=percentile(arrivals, 90),
        utilisation_pct=100.0 * run.utilisation,
        queue_sends=sum(1 for r in records if r.queued),
        widened=sum(1 for r in records if r.widened and r.ordered is not None),
        unserved=sum(1 for r in records if r.arrived is None),
        rounds=run.rounds,
        cpu_s=run.cpu_s,
    )
