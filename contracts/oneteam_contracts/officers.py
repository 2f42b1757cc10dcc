"""Officer (队员) messages: live positions for map subscribers.

Positions go to a compacted topic keyed by officer id, so a subscriber that starts late
reads each officer's latest fix, not the whole track (dispatch keeps the track itself).
"""

from enum import StrEnum

from pydantic import Field

from .values import ContractModel, GeoPoint, OfficerId, TenantCode, UtcDatetime


class PositionSource(StrEnum):
    """Which device gave a fix."""

    TERMINAL = "terminal"
    BODY_CAMERA = "body_camera"


class OfficerPositionReported(ContractModel):
    """An officer's latest position fix (WGS-84), from their terminal or body camera."""

    officer_id: OfficerId
    tenant: TenantCode
    position: GeoPoint
    source: PositionSource = PositionSource.TERMINAL
    accuracy_m: float | None = Field(default=None, ge=0, description="Reported accuracy radius, metres.")
    recorded_at: UtcDatetime
