"""Dispatch's environment."""

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from oneteam_servicekit import ServiceSettings


class DispatchSettings(ServiceSettings):
    """`DISPATCH_*` variables; `DATABASE_URL` alone also works in dispatch's own container."""

    model_config = SettingsConfigDict(env_prefix="DISPATCH_", extra="ignore")

    service_name: str = "dispatch"
    database_url: str = Field(
        "postgresql+asyncpg://postgres@127.0.0.1:5432/dispatch",
        validation_alias=AliasChoices("DISPATCH_DATABASE_URL", "DATABASE_URL"),
    )
    roster_file: str | None = Field(
        None, description="YAML or JSON list of officers loaded (upserted) at start-up, e.g. a demo roster"
    )
