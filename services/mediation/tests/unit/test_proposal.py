"""Proposing a mediator: skill, workload and conflicts of interest, each explained."""

from oneteam_mediation.domain.parties import Party, PartyKind
from oneteam_mediation.domain.proposal import propose
from oneteam_mediation.domain.registry import Skill

from .factories import REGISTRY, parties


def test_the_least_loaded_mediator_with_the_skill_comes_first() -> None:
    ranked = propose(REGISTRY, Skill.NEIGHBOUR, parties(), {"m-wang": 3, "m-li": 1, "m-zhao": 0})

    assert [c.mediator_id for c in ranked if c.eligible] == ["m-zhao", "m-li", "m-wang"]
    assert "0 open of 2" in ranked[0].reason


def test_a_mediator_without_the_skill_is_listed_as_not_eligible_with_the_reason() -> None:
    ranked = propose(REGISTRY, Skill.LABOUR_WAGES, parties(), {})

    assert [c.mediator_id for c in ranked if c.eligible] == ["m-li"]
    wang = next(c for c in ranked if c.mediator_id == "m-wang")
    assert not wang.eligible and wang.reason == "does not mediate labour_wages disputes"


def test_a_mediator_a_party_declared_a_tie_to_is_excluded() -> None:
    ranked = propose(REGISTRY, Skill.NEIGHBOUR, parties(declared_ties=["m-zhao"]), {})

    zhao = next(c for c in ranked if c.mediator_id == "m-zhao")
    assert not zhao.eligible and zhao.reason == "conflict of interest: party p1 declared a tie to m-zhao"


def test_a_mediator_affiliated_with_an_organisation_party_is_excluded() -> None:
    company = [Party(id="p1", kind=PartyKind.ORGANISATION, organisation="acme-property"),
               Party(id="p2", kind=PartyKind.PERSON)]

    ranked = propose(REGISTRY, Skill.NEIGHBOUR, company, {})

    li = next(c for c in ranked if c.mediator_id == "m-li")
    assert not li.eligible and "affiliated with party p1's organisation" in li.reason


def test_a_mediator_at_capacity_is_not_proposed() -> None:
    ranked = propose(REGISTRY, Skill.NEIGHBOUR, parties(), {"m-zhao": 2})

    assert next(c for c in ranked if c.mediator_id == "m-zhao").reason == "at capacity: 2 open of 2"
    assert ranked[0].mediator_id == "m-li"
