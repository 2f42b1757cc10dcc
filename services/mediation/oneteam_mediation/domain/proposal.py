"""Proposing a mediator: skill first, conflicts excluded, then the lightest workload.

Every mediator of the registry is listed with the reason they rank where they do, so the
command centre can see why someone was passed over (or override with a reason of its own).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from oneteam_mediation.domain.parties import Party
from oneteam_mediation.domain.registry import Mediator, Registry, Skill


@dataclass(frozen=True)
class Candidate:
    """One mediator's place in a proposal."""

    mediator_id: str
    eligible: bool
    open_mediations: int
    reason: str


def conflicts(mediator: Mediator, parties: Sequence[Party]) -> list[str]:
    """Why `mediator` is tied to a party (回避): declared ties and affiliated organisations."""
    found = [f"party {p.id} declared a tie to {mediator.id}" for p in parties if mediator.id in p.declared_ties]
    affiliated = set(mediator.affiliations)
    found += [f"{mediator.id} is affiliated with party {p.id}'s organisation" for p in parties
              if p.organisation is not None and p.organisation in affiliated]
    return found


def propose(registry: Registry, skill: Skill, parties: Sequence[Party],
            workload: Mapping[str, int]) -> list[Candidate]:
    """Every mediator, eligible ones first (fewest open mediations, then id), each with the reason."""
    ranked: list[Candidate] = []
    for mediator in registry.mediators:
        load = workload.get(mediator.id, 0)
        tied = conflicts(mediator, parties)
        if not mediator.active:
            reason = "inactive"
        elif skill not in mediator.skills:
            reason = f"does not mediate {skill.value} disputes"
        elif tied:
            reason = "conflict of interest: " + "; ".join(tied)
        elif load >= mediator.max_open:
            reason = f"at capacity: {load} open of {mediator.max_open}"
        else:
            ranked.append(Candidate(mediator.id, True, load,
                                    f"mediates {skill.value} disputes; {load} open of {mediator.max_open}"))
            continue
        ranked.append(Candidate(mediator.id, False, load, reason))
    return sorted(ranked, key=lambda c: (not c.eligible, c.open_mediations, c.mediator_id))
