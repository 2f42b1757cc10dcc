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

    def deadlines(self, ordered_at: datetime) -> dict[SlaStage, datetime]:
        """Each stage's deadline for an order made at `ordered_at`."""
        return {
            SlaStage.ACKNOWLEDGE: ordered_at + timedelta(minutes=self.acknowledge),
            SlaStage.COORDINATE: ordered_at + timedelta(minutes=self.coordinate),
            SlaStage.ARRIVE: ordered_at + timedelta(minutes=self.arrive),
            SlaStage.REPORT: ordered_at + timedelta(minutes=self.report),
        }


# Cuiyuan's figures (DOMAIN.md, "Figures the system must serve").
STANDARD_1358 = SlaProfile("1358", acknowledge=1, coordinate=3, arrive=5, report=8)
