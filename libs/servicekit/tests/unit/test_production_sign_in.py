"""With ONETEAM_ENV=production the development secret is refused at start-up."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from oneteam_servicekit import ServiceSettings

ISSUER = "https://sso.example.gov.cn/realms/oneteam"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ONETEAM_ENV", "JWT_SECRET", "JWT_PUBLIC_KEY", "OIDC_ISSUER", "OIDC_JWKS_URL"):
        monkeypatch.delenv(name, raising=False)


def test_production_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONETEAM_ENV", "production")
    monkeypatch.setenv("OIDC_ISSUER", ISSUER)
    monkeypatch.setenv("JWT_SECRET", "oneteam-development-secret-change-me")

    with pytest.raises(ValidationError, match="HS256 development secret is refused"):
        ServiceSettings()


def test_production_without_an_identity_provider_does_not_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONETEAM_ENV", "production")

    with pytest.raises(ValidationError, match="needs OIDC_ISSUER"):
        ServiceSettings()


def test_production_with_an_issuer_drops_the_built_in_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONETEAM_ENV", "production")
    monkeypatch.setenv("OIDC_ISSUER", ISSUER)

    settings = ServiceSettings()

    assert settings.jwt_secret is None
    assert settings.oidc_issuer == ISSUER


def test_development_keeps_the_shared_secret_for_local_tokens() -> None:
    assert ServiceSettings().jwt_secret
