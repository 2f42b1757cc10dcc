"""Incident (事件) messages: a problem is reported, more reports merge into it, it closes,
and its reporter or the command centre may reopen it.

No personal data and no free text: reporters are never named, and nothing a person typed
(a description, a closing note) is published, because other platforms read this topic and a
description such as "张三说：车牌浙A12345" names people no scrubber recognises. The text stays
behind the services' role-checked APIs; messages say only whether there is some (``has_*``).
"""

from enum import StrEnum
from uuid import UUID

from pydantic import Field

from .values import CategoryCode, ContractModel, GeoPoint, Priority, ReportSource, UtcDatetime


class IncidentResolution(StrEnum):
    """How an incident ended."""

    RESOLVED_ON_SITE = "resolved_on_site"
    CASE_OPENED = "case_opened"
    SENT_TO_MEDIATION = "sent_to_mediation"
    FALSE_REPORT = "false_report"
    TRANSFERRED = "transferred"
    DUPLICATE = "duplicate"


class IncidentReported(ContractModel):
    """A new incident was opened from a first report (上报)."""

    incident_id: UUID
    report_id: UUID = Field(description="The report that opened the incident.")
    category: CategoryCode
    source: ReportSource
    priority: Priority
    location: GeoPoint
    # Was the scrubbed text until the free-text rule; kept (always "") so v1 readers still parse.
    description: str = Field(
        default="", max_length=2000,
        description="Always empty: free text is not published. Read it from intake's incident API.",
    )
    has_description: bool = Field(default=False, description="Whether the report came with a description.")
    district: str | None = Field(default=None, description="District (片区) code, if known.")
    grid: str | None = Field(default=None, description="Grid (网格) code, if known.")
    reported_at: UtcDatetime


class IncidentMerged(ContractModel):
    """Another report about the same problem joined an open incident."""

    incident_id: UUID
    report_id: UUID = Field(description="The report that joined the incident.")
    source: ReportSource
    report_count: int = Field(ge=2, description="Reports on the incident, this one included.")
    priority: Priority = Field(description="The incident's priority after the merge.")
    merged_at: UtcDatetime


class IncidentClosed(ContractModel):
    """An incident was closed (办结)."""

    incident_id: UUID
    resolution: IncidentResolution
    closed_at: UtcDatetime
    # Was the closing note until the free-text rule; kept (always null) so v1 readers still parse.
    note: str | None = Field(
        default=None, max_length=2000, description="Always null: free text is not published."
    )
    has_note: bool = Field(default=False, description="Whether a closing note was written.")


class ReopenReason(StrEnum):
    """Why a closed incident was reopened."""

    STILL_PRESENT = "still_present"  # the reporter says the problem is still there
    DISSATISFIED = "dissatisfied"  # the reporter is not satisfied with the handling
    COMMANDER = "commander"  # the command centre reopened it


class IncidentReopened(ContractModel):
    """A closed incident was reopened within its tenant's window: it is open work again.

    Carries what dispatch needs to queue it anew; the earlier closure still counts against
    on-time closure (按期办结率).
    """

    incident_id: UUID
    category: CategoryCode
    location: GeoPoint
    priority: Priority
    district: str | None = Field(default=None, description="District (片区) code, if known.")
    grid: str | None = Field(default=None, description="Grid (网格) code, if known.")
    reason: ReopenReason
    reopened_at: UtcDatetime
    reopen_count: int = Field(ge=1, description="Times the incident has been reopened, this one included.")
