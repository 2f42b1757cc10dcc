"""Feedback (回访 / 评价) messages: the reporter rates how their report was handled.

Feeds the satisfaction rate (满意率, 99.5 % reported at Cuiyuan). No personal data: the
reporter is never named, and the comment has phone numbers and ID numbers removed.
"""

from enum import StrEnum
from uuid import UUID

from pydantic import Field

from .values import CategoryCode, ContractModel, ReportSource, UtcDatetime


class Satisfaction(StrEnum):
    """The reporter's rating, as the 12345 hotline asks it."""

    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


class FeedbackReceived(ContractModel):
    """A reporter rated the handling of a closed incident."""

    incident_id: UUID
    report_id: UUID = Field(description="The report whose reporter gave the rating.")
    category: CategoryCode
    source: ReportSource
    rating: Satisfaction
    comment: str | None = Field(
        default=None, max_length=1000, description="Free text, with personal details removed."
    )
    received_at: UtcDatetime
