"""Mediation's environment."""

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from oneteam_deadlines.runtime import DeadlineSettings


class MediationSettings(DeadlineSettings):
    """`MEDIATION_*` variables; `DATABASE_URL` alone also works in the service's own container."""

    model_config = SettingsConfigDict(env_prefix="MEDIATION_", extra="ignore")

    service_name: str = "mediation"
    database_url: str = Field(
        "postgresql+asyncpg://postgres@127.0.0.1:5432/mediation",
        validation_alias=AliasChoices("MEDIATION_DATABASE_URL", "DATABASE_URL"),
    )
    config_dir: str | None = Field(
        None, description="Folder of <tenant>/registry.yaml (+ optional calendar.yaml); default: the demo tenant's",
    )
    party_key: str = Field(
        "oneteam-development-party-key-change-me",
        description="HMAC key that turns a party's ID number or credit code into its reference; keep it secret",
    )
    consume_handoffs: bool = Field(True, description="Consume mediation.requested")
