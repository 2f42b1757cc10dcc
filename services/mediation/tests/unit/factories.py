"""A small registry and a fixed clock for the rules' tests."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from oneteam_contracts import MediationOrigin
from oneteam_deadlines import WorkingCalendar
from oneteam_mediation.domain import mediations as M
from oneteam_mediation.domain.parties import Consent, Party, PartyKind
from oneteam_mediation.domain.registry import Registry

# Wednesday 2026-11-25 10:00 China time.
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
CALENDAR = WorkingCalendar()

REGISTRY = Registry.model_validate({
    "tenant": "330106004",
    "mediators": [
        {"id": "m-wang", "name": "王调解", "kind": "peoples_mediator", "skills": ["neighbour", "property_management"]},
        {"id": "m-li", "name": "李律师", "kind": "lawyer", "skills": ["labour_wages", "consumer", "neighbour"],
         "affiliations": ["acme-property"]},
        {"id": "m-zhao", "name": "赵社工", "kind": "community_staff", "skills": ["neighbour"], "max_open": 2},
    ],
    "rooms": [{"id": "sunshine_room", "name": "阳光调解室", "capacity": 4}],
    "dispute_types": {"dispute": "neighbour", "wage_arrears": "labour_wages"},
    "no_penalty_categories": ["dispute"],
})


def parties(consent: Consent = Consent.GIVEN, **extra: object) -> list[Party]:
    return [Party(id="p1", kind=PartyKind.PERSON, ref="ref-1", consent=consent, **extra),
            Party(id="p2", kind=PartyKind.PERSON, ref="ref-2", consent=consent)]


def mediation(origin: MediationOrigin = MediationOrigin.REQUEST, category: str = "dispute",
              consent: Consent = Consent.GIVEN) -> M.Mediation:
    return M.open_mediation(id=uuid4(), tenant="330106004", origin=origin, category=category, registry=REGISTRY,
                            created_by="test", now=NOW, calendar=CALENDAR, parties=parties(consent))
