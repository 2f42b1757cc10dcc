"""The response clock: "1358" — acknowledge in 1 minute, coordinate in 3, arrive in 5, report in 8."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from oneteam_contracts import SlaStage


@dataclass(frozen=True)
class SlaProfile:
    """Minutes from the order to each stage's deadline."""

    name: str
    acknowledge: float
    coordinate: float
    arrive: float
    report: float
    max_travel: float | None = None  # minutes of travel a candidate may need; default: the arrive allowance

    def deadlines(self, ordered_at: datetime) -> dict[SlaStage, datetime]:
        """Each stage's deadline for an order made at `ordered_at`."""
        return {stage: ordered_at + self.allowance(stage) for stage in SlaStage}

    def allowance(self, stage: SlaStage) -> timedelta:
        """Time allowed from the order to `stage`."""
        minutes = {
            SlaStage.ACKNOWLEDGE: self.acknowledge,
            SlaStage.COORDINATE: self.coordinate,
            SlaStage.ARRIVE: self.arrive,
            SlaStage.REPORT: self.report,
        }[stage]
        return timedelta(minutes=minutes)

    def travel_limit_s(self) -> float:
        """The longest travel time, in seconds, of an officer worth sending."""
        return (self.max_travel if self.max_travel is not None else self.arrive) * 60.0


# Cuiyuan's figures (docs/domain.md, "The numbers we are held to").
STANDARD_1358 = SlaProfile("1358", acknowledge=1, coordinate=3, arrive=5, report=8)
