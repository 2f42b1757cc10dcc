"""Settings every service reads from its environment; each service subclasses `ServiceSettings`."""

from pydantic import AliasChoices, Field, SecretStr
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
    kafka_replication_factor: int | None = Field(
        None, validation_alias=AliasChoices("KAFKA_REPLICATION_FACTOR"),
        description="replicas per topic; unset: 3 where the cluster has 3 brokers, else its broker count",
    )
    kafka_min_insync_replicas: int | None = Field(
        None, validation_alias=AliasChoices("KAFKA_MIN_INSYNC_REPLICAS"),
        description="min.insync.replicas per topic; unset: 2 when topics have 3 replicas",
    )
    kafka_strict_replication: bool = Field(
        False, validation_alias=AliasChoices("KAFKA_STRICT_REPLICATION"),
        description="refuse to start when existing topics have fewer replicas than wanted (else log an error)",
    )
    kafka_group_instance_id: str | None = Field(
        None, validation_alias=AliasChoices("KAFKA_GROUP_INSTANCE_ID"),
        description="this replica's stable name for static group membership (fast rejoin after a restart)",
    )
    kafka_session_timeout_ms: int = Field(10000, validation_alias=AliasChoices("KAFKA_SESSION_TIMEOUT_MS"))
    kafka_security_protocol: str = Field(
        "PLAINTEXT", validation_alias=AliasChoices("KAFKA_SECURITY_PROTOCOL"),
        description="PLAINTEXT (development), SASL_PLAINTEXT or SASL_SSL (one principal per service)",
    )
    kafka_sasl_mechanism: str = Field("SCRAM-SHA-512", validation_alias=AliasChoices("KAFKA_SASL_MECHANISM"))
    kafka_sasl_username: str | None = Field(
        None, validation_alias=AliasChoices("KAFKA_SASL_USERNAME"),
        description="this service's principal, its name by convention (intake, dispatch...)",
    )
    kafka_sasl_password: SecretStr | None = Field(None, validation_alias=AliasChoices("KAFKA_SASL_PASSWORD"))
    kafka_ssl_cafile: str | None = Field(
        None, validation_alias=AliasChoices("KAFKA_SSL_CAFILE"),
        description="CA certificate (PEM) of the brokers' TLS listener; unset: the system's CAs",
    )
    run_migrations: bool = True
    log_level: str = Field("INFO", validation_alias=AliasChoices("LOG_LEVEL"))
    log_json: bool = Field(True, validation_alias=AliasChoices("LOG_JSON"))

    max_json_bytes: int = Field(1024 * 1024, gt=0, description="largest JSON or form body accepted (413 beyond)")
    max_upload_bytes: int = Field(16 * 1024 * 1024, gt=0,
                                  description="largest body of any other type, e.g. photos, CSV (413 beyond)")
    db_pool_size: int = Field(10, gt=0)
    db_max_overflow: int = Field(20, ge=0)
    db_pool_timeout_s: float = Field(10, gt=0, description="wait for a pooled connection, then answer 503")
    idempotency_retention_hours: float = Field(
        24, gt=0, description="how long a stored Idempotency-Key answer is replayed before it is purged")

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
            min_insync_replicas=self.kafka_min_insync_replicas,
            strict_replication=self.kafka_strict_replication,
            group_instance_id=self.kafka_group_instance_id,
            session_timeout_ms=self.kafka_session_timeout_ms,
            security_protocol=self.kafka_security_protocol,
            sasl_mechanism=self.kafka_sasl_mechanism,
            sasl_username=self.kafka_sasl_username,
            sasl_password=self.kafka_sasl_password.get_secret_value() if self.kafka_sasl_password else None,
            ssl_cafile=self.kafka_ssl_cafile,
        )
