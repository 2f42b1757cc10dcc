"""Inbound report messages: other platforms (基层治理四平台, the district event centre,
the 12345 hotline) that prefer producing to Kafka over calling intake's webhook.

The platform keeps its citizens' personal data; a message here must carry none.
"""

from pydantic import Field

from .values import CategoryCode, ContractModel, GeoPoint, ReportSource, UtcDatetime


class ReportSubmitted(ContractModel):
    """A platform submitted a report (上报) for intake to turn into an incident."""

    platform: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{1,63}$", description="Platform code, e.g. hotline-12345.")
    external_id: str = Field(
        min_length=1, max_length=200, description="The platform's own id; a re-sent id is ignored."
    )
    category: CategoryCode | None = Field(default=None, description="OneTeam category code, if the platform knows it.")
    source_code: str | None = Field(
        default=None, max_length=64, description="The platform's own category code, mapped by the category catalog."
    )
    source: ReportSource = ReportSource.PLATFORM
    description: str = Field(min_length=1, max_length=2000)
    location: GeoPoint
    occurred_at: UtcDatetime
