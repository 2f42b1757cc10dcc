"""Hand-offs from dispatch to the services that act next: cases (案件) and mediation (调解).

An officer's outcome on site, or a joint inspection's finding, decides what follows:
enforcement matters become a case request, disputes a mediation request. No personal data.
"""

from uuid import UUID

from pydantic import Field

from .values import CategoryCode, ContractModel, GeoPoint, OfficerId, UtcDatetime


class CaseRequested(ContractModel):
    """Handling on site found an enforcement matter: the case service should open a case."""

    request_id: UUID
    incident_id: UUID | None = Field(default=None, description="The incident, when one led here.")
    assignment_id: UUID | None = None
    operation_id: UUID | None = Field(default=None, description="The joint operation (综合查一次), if any.")
    category: CategoryCode
    department: str | None = Field(default=None, description="Department whose rule was broken.")
    legal_basis: str | None = Field(default=None, max_length=500)
    location: GeoPoint
    officer_id: OfficerId
    notes: str | None = Field(default=None, max_length=4000)
    photo_ids: list[str] = Field(default_factory=list, description="Ids in the evidence store.")
    requested_at: UtcDatetime


class MediationRequested(ContractModel):
    """Handling on site found a dispute between parties: the mediation service should take it."""

    request_id: UUID
    incident_id: UUID
    assignment_id: UUID
    category: CategoryCode
    location: GeoPoint
    officer_id: OfficerId
    notes: str | None = Field(default=None, max_length=4000)
    requested_at: UtcDatetime
