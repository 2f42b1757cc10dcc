"""Intake's environment."""

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from oneteam_servicekit import ServiceSettings


class IntakeSettings(ServiceSettings):
    """`INTAKE_*` variables; `DATABASE_URL` alone also works in intake's own container."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")

    service_name: str = "intake"
    database_url: str = Field(
        "postgresql+asyncpg://postgres@127.0.0.1:5432/intake",
        validation_alias=AliasChoices("INTAKE_DATABASE_URL", "DATABASE_URL"),
    )
