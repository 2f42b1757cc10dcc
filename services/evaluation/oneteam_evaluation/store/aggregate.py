"""One KPI's figures, grouped in PostgreSQL: the settled days' stored samples and the other days' fresh ones.

The same arithmetic as `domain.figures.figures`: local-time period labels, hits over samples
with the dimension, nearest-rank percentiles (PostgreSQL's percentile_disc) of the durations; a
still-running duration is measured to `now`, as the computation would have.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from oneteam_evaluation.domain.figures import DIMENSIONS, Figure, Period, Sample

LABELS = {Period.HOUR: "'YYYY-MM-DD\"T\"HH24'", Period.DAY: "'YYYY-MM-DD'", Period.WEEK: "'IYYY-\"W\"IW'",
          Period.MONTH: "'YYYY-MM'"}


def _label(period: Period) -> str:
    if period is Period.ALL:
        return "'all'"
    return f"to_char(at AT TIME ZONE :zone, {LABELS[period]})"


async def aggregate(session: AsyncSession, *, tenant: str, kpi: str, stored_days: Sequence[date],
                    start: datetime, end: datetime, period: Period, dimension: str, zone: str, now: datetime,
                    fresh: Sequence[Sample]) -> list[Figure]:
    """Figures over the stored samples of `stored_days` and the `fresh` samples, within [start, end)."""
    if dimension not in DIMENSIONS:  # it names a column below
        raise ValueError(f"no dimension {dimension}")
    rows = [(s.at, s.hit, s.seconds, key) for s in fresh if start <= s.at < end for key in s.dims.get(dimension, ())]
    query = text(f"""
        WITH counted AS (
            SELECT s.at, s.hit,
                   CASE WHEN s.ticking THEN greatest(extract(epoch FROM CAST(:now AS timestamptz) - s.at), 0)::float8
                        ELSE s.seconds END AS seconds,
                   k.key
            FROM ev_day_samples s CROSS JOIN LATERAL unnest(s.d_{dimension}) AS k(key)
            WHERE s.tenant = :tenant AND s.kpi = :kpi AND s.day = ANY(:days) AND s.at >= :start AND s.at < :end
            UNION ALL
            SELECT * FROM unnest(CAST(:f_at AS timestamptz[]), CAST(:f_hit AS boolean[]),
                                 CAST(:f_seconds AS float8[]), CAST(:f_key AS text[]))
        )
        SELECT {_label(period)} AS label, key, count(*) FILTER (WHERE hit) AS hits, count(*) AS counted,
               percentile_disc(0.5) WITHIN GROUP (ORDER BY seconds) AS p50,
               percentile_disc(0.9) WITHIN GROUP (ORDER BY seconds) AS p90
        FROM counted GROUP BY 1, 2""")
    found = await session.execute(query, {
        "tenant": tenant, "kpi": kpi, "days": list(stored_days), "start": start, "end": end, "now": now,
        "zone": zone, "f_at": [r[0] for r in rows], "f_hit": [r[1] for r in rows],
        "f_seconds": [r[2] for r in rows], "f_key": [r[3] for r in rows]})
    figures = [Figure(label, key, hits, counted, round(hits / counted, 6), p50, p90)
               for label, key, hits, counted, p50, p90 in found.all()]
    return sorted(figures, key=lambda f: (f.period, f.key))
