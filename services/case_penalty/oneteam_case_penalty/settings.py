"""Case-penalty's environment."""

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from oneteam_deadlines.runtime import DeadlineSettings


class CasePenaltySettings(DeadlineSettings):
    """`CASE_PENALTY_*` variables; `DATABASE_URL` alone also works in the service's own container."""

    model_config = SettingsConfigDict(env_prefix="CASE_PENALTY_", extra="ignore")

    service_name: str = "case_penalty"
    database_url: str = Field(
        "postgresql+asyncpg://postgres@127.0.0.1:5432/case_penalty",
        validation_alias=AliasChoices("CASE_PENALTY_DATABASE_URL", "DATABASE_URL"),
    )
    config_dir: str | None = Field(
        None, description="Folder of <tenant>/catalogue.yaml (+ optional calendar.yaml); default: the demo tenant's",
    )
    party_key: str = Field(
        "oneteam-development-party-key-change-me",
        description="HMAC key that turns an ID number or credit code into the party reference; keep it secret",
    )
    party_encryption_key: str | None = Field(
        None, description="Fernet key: when set, the identifier is also kept encrypted, for documents that print it",
    )
    payment_callback_key: str | None = Field(
        None, description="HMAC key the payment platform signs its callbacks with; unset: callbacks refused",
    )
    signature_window_s: int = Field(300, gt=0, description="How far a callback's timestamp may be from our clock")
    consume_handoffs: bool = Field(True, description="Consume case.requested and mediation.failed")
