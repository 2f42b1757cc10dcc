"""Incident (事件) messages: a problem is reported, more reports merge into it, it closes.

No personal data: reporters are never named, and nothing here identifies a citizen.
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
    description: str = Field(max_length=2000, description="What was reported, with personal details removed.")
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
    note: str | None = Field(default=None, max_length=2000)
