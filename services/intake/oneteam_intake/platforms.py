"""Reports from other platforms, however they arrive (signed webhook or Kafka topic).

Both entry points build the same `Submission` here, so a platform's report is treated alike
whichever way it came.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from oneteam_contracts import CategoryCode, GeoPoint, ReportSource, ReportSubmitted, TenantCode, UtcDatetime
from oneteam_intake.api.schemas import ContactIn
from oneteam_intake.domain.catalog import Catalog
from oneteam_intake.service import Submission
from oneteam_servicekit import InvalidRequest

PLATFORM_SOURCES = frozenset({ReportSource.PLATFORM, ReportSource.HOTLINE_12345, ReportSource.GRID_WORKER,
                              ReportSource.PATROL, ReportSource.CITIZEN_APP})


class PlatformReportIn(BaseModel):
    """A report pushed by a platform over HTTP: `report.submitted`'s fields plus the tenant, and
    optionally the caller's contact (a hotline has the citizen's number; it stays in intake)."""

    model_config = ConfigDict(extra="forbid")
    tenant: TenantCode
    external_id: str = Field(min_length=1, max_length=200)
    category: CategoryCode | None = None
    source_code: str | None = Field(None, max_length=64)
    source: ReportSource = ReportSource.PLATFORM
    description: str = Field(min_length=1, max_length=2000)
    location: GeoPoint
    occurred_at: UtcDatetime | None = None
    contact: ContactIn | None = None


def submission(catalog: Catalog, platform: str, tenant: str, report: PlatformReportIn | ReportSubmitted) -> Submission:
    """The submission for a platform's report; an unmapped source code goes to triage."""
    if report.source not in PLATFORM_SOURCES:
        raise InvalidRequest(f"source: platforms may not submit {report.source.value} reports",
                             errors=[{"field": "source", "reason": "not allowed for platforms"}])
    category = report.category
    if category is None and report.source_code is not None:
        mapped = catalog.for_source_code(platform, report.source_code)
        category = mapped.code if mapped is not None else None
    contact = report.contact if isinstance(report, PlatformReportIn) else None
    return Submission(
        tenant=tenant, category=category, description=report.description, location=report.location,
        source=report.source, origin=f"platform:{platform}", external_id=report.external_id,
        contact=contact.stored() if contact else None,
        detail={"platform": platform, "source_code": report.source_code,
                "occurred_at": report.occurred_at.isoformat() if report.occurred_at else None},
    )
