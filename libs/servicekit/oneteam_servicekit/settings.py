"""Settings every service reads from its environment; each service subclasses `ServiceSettings`."""

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from oneteam_eventbus import KafkaConfig


class ServiceSettings(BaseSettings):
    """Typed environment. A service sets `env_prefix` (e.g. `INTAKE_`) in its subclass, so
    `INTAKE_DATABASE_URL` configures intake while a plain `DATABASE_URL` also works when the
    service runs alone in its container."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: str = "service"
    database_url: str = Field(
        "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
        description="SQLAlchemy async URL of this service's own database",
    )
    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092", validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS")
    )
    kafka_enable_idempotence: bool = Field(
        True, validation_alias=AliasChoices("KAFKA_ENABLE_IDEMPOTENCE"),
        description="off only for brokers that refuse InitProducerId, such as embedded Tansu",
    )
    kafka_replication_factor: int = Field(1, validation_alias=AliasChoices("KAFKA_REPLICATION_FACTOR"))
    run_migrations: bool = True
    log_level: str = Field("INFO", validation_alias=AliasChoices("LOG_LEVEL"))
    log_json: bool = Field(True, validation_alias=AliasChoices("LOG_JSON"))

    jwt_secret: str | None = Field(
        "oneteam-development-secret-change-me", validation_alias=AliasChoices("JWT_SECRET"),
        description="HS256 shared secret (development); unset it in production and give JWT_PUBLIC_KEY",
    )
    jwt_public_key: str | None = Field(
        None, validation_alias=AliasChoices("JWT_PUBLIC_KEY"),
        description="PEM public key for RS256/ES256 tokens from the identity provider (production)",
    )
    jwt_issuer: str = Field("oneteam", validation_alias=AliasChoices("JWT_ISSUER"))
    jwt_audience: str = Field("oneteam", validation_alias=AliasChoices("JWT_AUDIENCE"))

    def kafka(self) -> KafkaConfig:
        """The event bus's view of these settings."""
        return KafkaConfig(
            bootstrap_servers=self.kafka_bootstrap_servers,
            client_id=f"oneteam-{self.service_name}",
            idempotence=self.kafka_enable_idempotence,
            replication_factor=self.kafka_replication_factor,
        )
