"""Request and response bodies shared by several routers."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from oneteam_contracts import GeoPoint
from oneteam_intake.domain.reports import Incident
from oneteam_intake.service import Receipt
from oneteam_intake.store.reports import Contact

PHONE_PATTERN = r"^\+?[0-9][0-9 -]{4,30}$"
EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,}$"


class ContactIn(BaseModel):
    """Who to call back; stored apart from the incident, never published."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, pattern=PHONE_PATTERN)
    email: str | None = Field(None, pattern=EMAIL_PATTERN, max_length=200)

    def stored(self) -> Contact:
        """The contact as the store keeps it."""
        return Contact(self.name, self.phone, self.email)


class ReceiptOut(BaseModel):
    """What a submitter gets back: where the report went."""

    report_id: UUID
    incident_id: UUID | None = Field(description="None while the report waits in triage or review.")
    status: str = Field(description="triage, review, dismissed, or the incident's: reported, assigned, "
                                    "in_progress, closed")
    received_at: datetime
    merged: bool = Field(False, description="The report joined an incident opened by an earlier report.")
    duplicate: bool = Field(False, description="This report was already received; nothing new was stored.")
    category: str | None = None
    district: str | None = None
    grid: str | None = None
    report_count: int | None = None


def receipt_out(receipt: Receipt) -> ReceiptOut:
    """The response body for a receipt."""
    incident = receipt.incident
    return ReceiptOut(
        report_id=receipt.report_id, incident_id=incident.id if incident else None, status=receipt.status,
        received_at=receipt.received_at, merged=receipt.merged, duplicate=receipt.duplicate,
        category=receipt.category, district=receipt.district, grid=receipt.grid,
        report_count=incident.report_count if incident else None,
    )


class IncidentOut(BaseModel):
    """An incident as staff see it (no personal data)."""

    id: UUID
    tenant: str
    category: str
    priority: str
    location: GeoPoint
    description: str
    status: str
    report_count: int
    opened_at: datetime
    last_report_at: datetime
    district: str | None
    grid: str | None
    reopen_count: int = Field(0, description="times reopened after closure (each still counts against on-time closure)")
    close_note: str | None = Field(None, description="the command centre's closing note (never published)")


def incident_out(incident: Incident) -> IncidentOut:
    """The response body for an incident."""
    return IncidentOut(
        id=incident.id, tenant=incident.tenant, category=incident.category, priority=incident.priority.value,
        location=incident.location, description=incident.description, status=incident.status.value,
        report_count=incident.report_count, opened_at=incident.opened_at, last_report_at=incident.last_report_at,
        district=incident.district, grid=incident.grid, reopen_count=incident.reopen_count,
        close_note=incident.close_note,
    )
