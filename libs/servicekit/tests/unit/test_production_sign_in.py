"""Production sign-in: the development secret refused at start-up, provider tokens' foreign roles skipped."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import ValidationError

from oneteam_servicekit import ServiceSettings, Unauthorized
from oneteam_servicekit.auth import Role, verify_token

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


def test_a_token_checked_with_a_configured_public_key_skips_the_providers_own_roles() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    settings = ServiceSettings(environment="production", jwt_public_key=public_pem, jwt_issuer=ISSUER,
                               jwt_roles_claim="realm_access.roles")
    token = jwt.encode({"sub": "u-1", "iss": ISSUER, "aud": "oneteam", "exp": int(time.time()) + 60,
                        "tenant": "330106004", "realm_access": {"roles": ["auditor", "offline_access"]}},
                       key, algorithm="ES256")

    assert verify_token(settings, token).roles == frozenset({Role.AUDITOR})


def test_a_development_token_with_an_unknown_role_is_still_refused() -> None:
    settings = ServiceSettings()
    assert settings.jwt_secret is not None
    token = jwt.encode({"sub": "u-1", "iss": settings.jwt_issuer, "aud": settings.jwt_audience,
                        "exp": int(time.time()) + 60, "roles": ["superuser"]}, settings.jwt_secret, algorithm="HS256")

    with pytest.raises(Unauthorized, match="unknown roles"):
        verify_token(settings, token)
