"""Value types shared by every OneTeam message: codes, enums, time and position."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .geodesy import gcj02_to_wgs84


class ContractModel(BaseModel):
    """Base of every contract model: immutable, and unknown fields are rejected."""

    # extra="forbid" so a misspelt or smuggled field (a reporter's phone number, say)
    # fails loudly at the producer instead of leaking to subscribers.
    model_config = ConfigDict(frozen=True, extra="forbid")


def _explained(error_type: str, message: str) -> WrapValidator:
    """Replace the constraint errors of the wrapped type with one plain-language message."""

    def validate(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError:
            raise PydanticCustomError(error_type, message) from None

    return WrapValidator(validate)


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


# [0-9] rather than \d: \d also matches non-ASCII digits such as "٣".
TENANT_CODE_PATTERN = r"^[0-9]{6}([0-9]{3}|[0-9]{6})?$"
CATEGORY_CODE_PATTERN = r"^[a-z][a-z0-9_]{1,63}$"

TenantCode = Annotated[
    str,
    StringConstraints(pattern=TENANT_CODE_PATTERN),
    _explained(
        "tenant_code",
        "tenant must be an administrative division code of 6, 9 or 12 digits, e.g. 330106004",
    ),
]
"""A tenant (街道/乡镇) by its administrative division code: 6, 9 or 12 digits."""

CategoryCode = Annotated[
    str,
    StringConstraints(pattern=CATEGORY_CODE_PATTERN),
    _explained(
        "category_code",
        "category must be a lowercase code of 2-64 letters, digits or '_', e.g. street_vending",
    ),
]
"""A category (事项) code from the category catalog, e.g. ``street_vending``."""

UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timezone-aware instant, normalised to UTC; naive datetimes are rejected."""

OfficerId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
"""An officer's (队员) opaque identifier; never a name or a phone number."""


class ReportSource(StrEnum):
    """Where a report (上报) came from."""

    CITIZEN_APP = "citizen_app"
    GRID_WORKER = "grid_worker"
    AI_CAMERA = "ai_camera"
    HOTLINE_12345 = "hotline_12345"
    PATROL = "patrol"
    PLATFORM = "platform"
    SHOP_APP = "shop_app"


class Priority(StrEnum):
    """How urgently an incident must be handled, lowest first."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    def raised(self) -> "Priority":
        """The next priority up, capped at urgent."""
        order = list(Priority)
        return order[min(order.index(self) + 1, len(order) - 1)]


class CoordinateSystem(StrEnum):
    """Datum of a coordinate pair: WGS-84 (GPS) or GCJ-02 (Chinese map SDKs)."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"


Longitude = Annotated[
    float,
    Field(ge=-180, le=180),
    _explained("longitude", "lon must be a number between -180 and 180"),
]
Latitude = Annotated[
    float,
    Field(ge=-90, le=90),
    _explained("latitude", "lat must be a number between -90 and 90"),
]


class GeoPoint(ContractModel):
    """A position in degrees; always held as WGS-84 once validated.

    Input may be GCJ-02 (``crs="gcj02"``, what AMap/Tencent SDKs give the mobile apps);
    it is converted on validation, so every instance has ``crs == wgs84``.
    """

    lon: Longitude
    lat: Latitude
    crs: CoordinateSystem = CoordinateSystem.WGS84

    @model_validator(mode="after")
    def _store_as_wgs84(self) -> Self:
        if self.crs is CoordinateSystem.GCJ02:
            lon, lat = gcj02_to_wgs84(self.lon, self.lat)
            # The model is frozen; validation is the one moment it may still be set up.
            object.__setattr__(self, "lon", lon)
            object.__setattr__(self, "lat", lat)
            object.__setattr__(self, "crs", CoordinateSystem.WGS84)
        return self
