"""What every OneTeam service shares: settings, database, migrations, app factory, errors."""

from oneteam_servicekit.app import RuntimeDep, create_app, get_runtime
from oneteam_servicekit.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidRequest,
    NotFound,
    Unauthorized,
    Unavailable,
)
from oneteam_servicekit.runtime import Runtime, Subscription
from oneteam_servicekit.settings import ServiceSettings

__all__ = [
    "Conflict",
    "DomainError",
    "Forbidden",
    "InvalidRequest",
    "NotFound",
    "Runtime",
    "RuntimeDep",
    "ServiceSettings",
    "Subscription",
    "Unauthorized",
    "Unavailable",
    "create_app",
    "get_runtime",
]
