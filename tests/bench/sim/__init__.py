"""A city in a box: a discrete-event simulation of one tenant's shift, dispatched by the real
matching code of `oneteam_dispatch` (through `dispatch_adapter`, the one file that knows it)."""

from __future__ import annotations

from .city import City, cuiyuan
from .engine import POLICIES, PolicySpec, Rules, Run, Simulation
from .metrics import Summary, arrival_minutes, summarise
from .roster import OfficerSpec, cuiyuan_roster
from .workload import Incident, Workload


def run_shift(policy: PolicySpec, *, seed: int = 1, officers: int = 60, scale: float = 1.0,
              start_hour: float = 8.0, hours: float = 8.0, rules: Rules | None = None) -> Run:
    """One policy over one shift of the demo tenant; the same arguments give the same run."""
    city = cuiyuan()
    incidents = Workload(start_hour=start_hour, hours=hours, scale=scale).generate(city, seed)
    roster = cuiyuan_roster(city, officers, seed, start_hour=start_hour, hours=hours)
    return Simulation(city, roster, incidents, policy, hours, rules or Rules()).run()


__all__ = [
    "POLICIES", "City", "Incident", "OfficerSpec", "PolicySpec", "Rules", "Run", "Simulation", "Summary",
    "Workload", "arrival_minutes", "cuiyuan", "cuiyuan_roster", "run_shift", "summarise",
]
