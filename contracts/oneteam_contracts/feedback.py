"""Feedback (回访 / 评价) messages: the reporter rates how their report was handled.

Feeds the satisfaction rate (满意率, 99.5 % reported at Cuiyuan). No personal data and no
free text: the reporter is never named, and the comment stays in intake (``has_comment``).
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
    # Was the scrubbed comment until the free-text rule; kept (always null) so v1 readers parse.
    comment: str | None = Field(
        default=None, max_length=1000, description="Always null: free text is not published."
    )
    has_comment: bool = Field(default=False, description="Whether the reporter wrote a comment.")
    received_at: UtcDatetime
