"""What an incident closed, merged away or reopened at intake does here; what an override must name."""

from __future__ import annotations

from oneteam_contracts import AssignmentOutcome, CancellationReason, IncidentResolution
from oneteam_dispatch.domain import assignments as rules
from oneteam_dispatch.domain.assignments import AssignmentStatus
from oneteam_dispatch.domain.incidents import cancellation_reason, follows_close, reopen_applies
from oneteam_dispatch.domain.overrides import unmet_needs
from oneteam_dispatch.domain.responsibility import Need

from .factories import NOW, east, officer
from .test_assignments import an_order


def test_an_open_order_is_cancelled_naming_every_officer_told_to_stand_down() -> None:
    a = rules.acknowledge(an_order(), "a", NOW)[0]

    after, event = rules.cancel(a, CancellationReason.INCIDENT_CLOSED, NOW)

    assert after.status is AssignmentStatus.CANCELLED and not after.is_open
    assert event is not None and event.officer_ids == ["a"] and event.reason is CancellationReason.INCIDENT_CLOSED


def test_a_reported_order_is_not_cancelled_by_the_closure_it_caused() -> None:
    a = an_order()
    a = rules.acknowledge(a, "a", NOW)[0]
    a = rules.report(a, "a", AssignmentOutcome.TRANSFERRED, None, (), NOW)[0]

    after, event = rules.cancel(a, CancellationReason.INCIDENT_CLOSED, NOW)

    assert event is None and after.status is AssignmentStatus.REPORTED


def test_a_duplicate_closure_reads_as_merged_and_anything_else_as_closed() -> None:
    assert cancellation_reason(IncidentResolution.DUPLICATE) is CancellationReason.INCIDENT_MERGED
    assert cancellation_reason(IncidentResolution.FALSE_REPORT) is CancellationReason.INCIDENT_CLOSED


def test_dispatchs_own_closure_heard_back_has_nothing_left_to_do() -> None:
    assert not follows_close("closed")
    assert all(follows_close(state) for state in ("pending", "assigned", "queued", "handed_off"))


def test_an_override_must_name_officers_with_the_departments_and_skills_the_incident_needs() -> None:
    needs = (Need("comprehensive_enforcement", frozenset({"food_safety"})), Need("emergency_management"))
    cook = officer("cook", east(0), skills=("food_safety",))
    walker = officer("walker", east(0), skills=("street_order",))
    firefighter = officer("fire", east(0), department="emergency_management")

    assert unmet_needs(needs, [cook, firefighter]) == []
    assert unmet_needs(needs, [walker, firefighter]) == [
        "comprehensive_enforcement needs skills food_safety: walker lacks food_safety"]
    assert unmet_needs(needs, [cook]) == ["no officer of emergency_management is named"]


def test_a_reopening_is_new_work_once_for_finished_or_unknown_incidents_only() -> None:
    assert reopen_applies("closed", 0, 1) and reopen_applies("handed_off", 1, 2) and reopen_applies(None, 0, 1)
    assert not reopen_applies("closed", 1, 1)  # the same reopening heard twice
    assert not reopen_applies("assigned", 0, 1)  # still being worked on: it has its order
