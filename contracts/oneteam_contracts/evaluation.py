"""Evaluation (效能评价) messages: a tenant's KPI falls below its target, and comes back.

For the command centre. A breach is announced once when the KPI's share over the rolling
window drops under the tenant's target, and closed once when it is back at or above it; a
later drop is a new breach with a new ``alert_id``. Figures and codes only, no personal data.
"""

from uuid import UUID

from pydantic import Field

from .values import CategoryCode, ContractModel, TenantCode, UtcDatetime


class _KpiStanding(ContractModel):
    alert_id: UUID = Field(description="One breach: the alert and its recovery share it.")
    tenant: TenantCode
    kpi: CategoryCode = Field(description="The KPI's name, as GET /v1/kpis of evaluation lists it.")
    value: float = Field(ge=0, le=1, description="Numerator / denominator over the window.")
    target: float = Field(ge=0, le=1)
    numerator: int = Field(ge=0)
    denominator: int = Field(ge=1)
    window_start: UtcDatetime
    window_end: UtcDatetime = Field(description="When the standing was measured.")
    breach_started_at: UtcDatetime = Field(description="When the KPI was first seen below its target.")


class KpiAlert(_KpiStanding):
    """A tenant's KPI fell below its target over the rolling window (效能预警), once per breach."""


class KpiRecovered(_KpiStanding):
    """A KPI that had fallen below its target is back at or above it: its breach is over."""

    recovered_at: UtcDatetime
