"""Intake's environment."""

import os
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from oneteam_servicekit import ServiceSettings


def _default_photos_dir() -> Path:
    return Path(os.environ.get("ONETEAM_DATA_DIR", ".data")) / "intake" / "photos"


class IntakeSettings(ServiceSettings):
    """`INTAKE_*` variables; `DATABASE_URL` alone also works in intake's own container."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")

    service_name: str = "intake"
    database_url: str = Field(
        "postgresql+asyncpg://postgres@127.0.0.1:5432/intake",
        validation_alias=AliasChoices("INTAKE_DATABASE_URL", "DATABASE_URL"),
    )
    config_dir: Path | None = Field(
        None, description="folder with catalog.yaml and tenants/<code>.geojson; default: the packaged demo")
    photos_dir: Path = Field(default_factory=_default_photos_dir,
                             description="local photo storage; default $ONETEAM_DATA_DIR/intake/photos")
    photo_max_bytes: int = Field(5 * 1024 * 1024, gt=0)
    report_token_secret: str = Field(
        "oneteam-development-report-token-secret", min_length=16,
        description="HMAC key deriving reporters' status tokens; set a random one in production")
    platform_keys: dict[str, str] = Field(
        default_factory=lambda: {"hotline-12345": "dev-hotline-12345-key",
                                 "district-centre": "dev-district-centre-key"},
        description='platform → HMAC key, as JSON: INTAKE_PLATFORM_KEYS=\'{"hotline-12345": "..."}\'')
    signature_window_s: int = Field(300, gt=0, description="how far a push's timestamp may be from now")
    public_burst: int = Field(20, gt=0, description="public submissions a client may make at once")
    public_per_second: float = Field(0.2, gt=0, description="refill rate of a client's public submissions")
    trusted_proxies: list[str] = Field(
        default_factory=list, description="peer addresses whose X-Forwarded-For names the real client "
                                          '(JSON list, e.g. INTAKE_TRUSTED_PROXIES=\'["10.0.0.5"]\')')
    import_max_rows: int = Field(10_000, gt=0)
    import_max_bytes: int = Field(10 * 1024 * 1024, gt=0)
    consumer_group_suffix: str = Field(
        "", description="appended to consumer group names: for a second intake on the same Kafka cluster "
                        "(staging beside production, or each test module) that must not share offsets")
    open311_jurisdiction: str = Field("330106004", description="tenant for Open311 requests without jurisdiction_id")

    def catalog_path(self) -> Path:
        """The category catalog file."""
        return (self.config_dir or _packaged()) / "catalog.yaml"

    def tenants_dir(self) -> Path:
        """The folder of per-tenant GeoJSON files."""
        return (self.config_dir or _packaged()) / "tenants"


def _packaged() -> Path:
    return Path(__file__).parent / "config"
