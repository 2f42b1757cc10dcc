"""Settings every service reads from its environment; each service subclasses `ServiceSettings`."""

from typing import Literal, Self

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from oneteam_eventbus import KafkaConfig
from oneteam_servicekit import replicas


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
    # A fixed pool: a connection opened is kept. Connections beyond the pool are closed when
    # returned, and a new one costs a connect (a PostgreSQL backend forked and its caches
    # filled), asyncpg's type introspection and every statement prepared again. Dispatch under
    # load opened some eight a second with a pool of 10 (+ 20 overflow), and still ~9 a second
    # with 20 (+ 10) once the load test passed 30 reports/s, where requests waiting on row locks
    # hold their connections longer: PostgreSQL went from 0.34 to 0.54 of a core and report →
    # order p99 from ~1.5 to 7-9 s (back to back, 2026-11-27). The same 30 at most, all kept.
    db_pool_size: int = Field(30, gt=0, description="connections kept open once opened")
    db_max_overflow: int = Field(0, ge=0, description="connections opened beyond the pool in bursts, then closed")
    db_pool_timeout_s: float = Field(10, gt=0, description="wait for a pooled connection, then answer 503")
    outbox_round_gap_ms: float = Field(
        0, ge=0, le=1000, description="the outbox relay starts a round at most this often: under load, fewer and "
                                      "fuller rounds (one transaction and one produce request each)")
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

    environment: Literal["development", "production"] = Field(
        "development", validation_alias=AliasChoices("ONETEAM_ENV"),
        description="production refuses the HS256 development secret and needs OIDC or a public key",
    )
    oidc_issuer: str | None = Field(
        None, validation_alias=AliasChoices("OIDC_ISSUER"),
        description="OIDC issuer URL (e.g. a Keycloak realm): tokens' iss; keys found by its discovery document",
    )
    oidc_jwks_url: str | None = Field(
        None, validation_alias=AliasChoices("OIDC_JWKS_URL"),
        description="JWKS URL of the identity provider, when discovery is not wanted",
    )
    oidc_jwks_min_refresh_s: float = Field(
        30, gt=0, validation_alias=AliasChoices("OIDC_JWKS_MIN_REFRESH_S"),
        description="least time between two fetches of the key set (a token with an unknown kid triggers one)",
    )
    oidc_jwks_max_age_s: float = Field(3600, gt=0, validation_alias=AliasChoices("OIDC_JWKS_MAX_AGE_S"))
    jwt_roles_claim: str = Field(
        "roles", validation_alias=AliasChoices("JWT_ROLES_CLAIM"),
        description="dotted path of the roles list in a token; Keycloak: realm_access.roles",
    )
    jwt_tenant_claim: str = Field("tenant", validation_alias=AliasChoices("JWT_TENANT_CLAIM"))
    jwt_tenants_claim: str = Field("tenants", validation_alias=AliasChoices("JWT_TENANTS_CLAIM"))

    @model_validator(mode="after")
    def _production_sign_in(self) -> Self:
        """In production, tokens come from the identity provider: the shared secret is refused."""
        if self.environment != "production":
            return self
        if "jwt_secret" in self.model_fields_set and self.jwt_secret:
            raise ValueError("JWT_SECRET is set but ONETEAM_ENV=production: the HS256 development secret "
                             "is refused; configure OIDC_ISSUER (or OIDC_JWKS_URL) or JWT_PUBLIC_KEY")
        self.jwt_secret = None  # the built-in development default, never used in production
        if not (self.oidc_issuer or self.oidc_jwks_url or self.jwt_public_key):
            raise ValueError("ONETEAM_ENV=production needs OIDC_ISSUER, OIDC_JWKS_URL or JWT_PUBLIC_KEY "
                             "to verify tokens")
        return self

    def kafka(self) -> KafkaConfig:
        """The event bus's view of these settings."""
        return KafkaConfig(
            bootstrap_servers=self.kafka_bootstrap_servers,
            client_id=f"oneteam-{self.service_name}",
            idempotence=self.kafka_enable_idempotence,
            replication_factor=self.kafka_replication_factor,
            min_insync_replicas=self.kafka_min_insync_replicas,
            strict_replication=self.kafka_strict_replication,
            group_instance_id=replicas.instance_id(self.kafka_group_instance_id),
            session_timeout_ms=self.kafka_session_timeout_ms,
            security_protocol=self.kafka_security_protocol,
            sasl_mechanism=self.kafka_sasl_mechanism,
            sasl_username=self.kafka_sasl_username,
            sasl_password=self.kafka_sasl_password.get_secret_value() if self.kafka_sasl_password else None,
            ssl_cafile=self.kafka_ssl_cafile,
        )
