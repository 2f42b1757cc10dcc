"""Production sign-in: tokens from an OIDC provider, verified with the keys it publishes.

The provider here is a real HTTP server on 127.0.0.1 serving a discovery document and a JWKS
shaped like Keycloak's, with keys generated for the test; nothing in the verification is faked.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from oneteam_servicekit import ServiceSettings, Unauthorized
from oneteam_servicekit.auth import Role, verify_token
from oneteam_servicekit.errors import Unavailable

from ..unit.kit_app import build, client

pytestmark = pytest.mark.integration

AUDIENCE = "oneteam"
CUIYUAN = "330106004"
REALM_PATH = "/realms/oneteam"


@dataclass
class Provider:
    """A tiny identity provider: its issuer URL, the keys it publishes, how often it was asked."""

    server: ThreadingHTTPServer
    published: dict[str, Any] = field(default_factory=dict)  # kid -> private key
    jwks_requests: int = 0

    @property
    def issuer(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}{REALM_PATH}"

    def publish(self, kid: str, private_key: Any) -> None:
        self.published[kid] = private_key

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, private in self.published.items():
            algorithm = RSAAlgorithm if isinstance(private, rsa.RSAPrivateKey) else ECAlgorithm
            jwk = algorithm.to_jwk(private.public_key(), as_dict=True)
            keys.append({**jwk, "kid": kid, "use": "sig"})
        # Keycloak also lists an encryption key; it must never be used to verify a signature.
        enc = RSAAlgorithm.to_jwk(_rsa().public_key(), as_dict=True)
        keys.append({**enc, "kid": "enc-key", "use": "enc", "alg": "RSA-OAEP"})
        return {"keys": keys}


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _ec() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def provider() -> Iterator[Provider]:
    def handler_for(state: Provider) -> type[BaseHTTPRequestHandler]:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == REALM_PATH + "/.well-known/openid-configuration":
                    body: dict[str, Any] = {"issuer": state.issuer,
                                            "jwks_uri": state.issuer + "/protocol/openid-connect/certs"}
                elif self.path == REALM_PATH + "/protocol/openid-connect/certs":
                    state.jwks_requests += 1
                    body = state.jwks()
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    state = Provider(server=ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler))
    state.server.RequestHandlerClass = handler_for(state)
    thread = threading.Thread(target=state.server.serve_forever, daemon=True)
    thread.start()
    yield state
    state.server.shutdown()
    state.server.server_close()


def _settings(provider: Provider, **overrides: Any) -> ServiceSettings:
    values: dict[str, Any] = {"environment": "production", "oidc_issuer": provider.issuer,
                              "jwt_audience": AUDIENCE, "jwt_roles_claim": "realm_access.roles",
                              **overrides}
    return ServiceSettings(**values)


def _token(private_key: Any, kid: str | None, issuer: str, **claims: Any) -> str:
    algorithm = "RS256" if isinstance(private_key, rsa.RSAPrivateKey) else "ES256"
    body = {"sub": "f3c1-keycloak-user", "iss": issuer, "aud": [AUDIENCE, "account"],
            "exp": int(time.time()) + 300, "tenant": CUIYUAN,
            "realm_access": {"roles": ["commander", "offline_access", "default-roles-oneteam"]}, **claims}
    headers = {"kid": kid} if kid is not None else None
    return jwt.encode(body, private_key, algorithm=algorithm, headers=headers)


def test_keycloak_token_gives_the_suite_role_and_tenant_and_skips_the_providers_own_roles(
        provider: Provider) -> None:
    key = _rsa()
    provider.publish("rsa-1", key)

    caller = verify_token(_settings(provider), _token(key, "rsa-1", provider.issuer))

    assert caller.roles == frozenset({Role.COMMANDER})
    assert caller.tenant == CUIYUAN
    assert caller.subject == "f3c1-keycloak-user"


def test_es256_token_is_accepted(provider: Provider) -> None:
    key = _ec()
    provider.publish("ec-1", key)

    caller = verify_token(_settings(provider), _token(key, "ec-1", provider.issuer, officer_id="off-7"))

    assert caller.officer_id == "off-7"


@pytest.mark.parametrize(("claims", "reason"), [
    ({"iss": "http://127.0.0.1:1/realms/other"}, "issuer"),
    ({"aud": "another-client"}, "audience"),
    ({"exp": int(time.time()) - 60}, "expired"),
])
def test_token_for_another_issuer_audience_or_time_is_refused(provider: Provider, claims: dict[str, Any],
                                                               reason: str) -> None:
    key = _rsa()
    provider.publish("rsa-1", key)

    with pytest.raises(Unauthorized, match=f"(?i){reason}"):
        verify_token(_settings(provider), _token(key, "rsa-1", provider.issuer, **claims))


def test_token_signed_by_a_key_the_provider_does_not_publish_is_refused(provider: Provider) -> None:
    provider.publish("rsa-1", _rsa())

    with pytest.raises(Unauthorized, match="invalid token"):
        verify_token(_settings(provider), _token(_rsa(), "rsa-1", provider.issuer))


def test_hs256_token_is_refused_when_the_provider_signs(provider: Provider) -> None:
    provider.publish("rsa-1", _rsa())
    # Signed with the development secret: it must not pass once an identity provider signs.
    forged = jwt.encode({"sub": "x", "iss": provider.issuer, "aud": AUDIENCE, "exp": int(time.time()) + 60,
                         "roles": ["admin"]},
                        "oneteam-development-secret-change-me", algorithm="HS256", headers={"kid": "rsa-1"})

    with pytest.raises(Unauthorized, match="invalid token"):
        verify_token(_settings(provider), forged)


def test_rotated_key_is_fetched_when_a_token_names_it(provider: Provider) -> None:
    old, new = _rsa(), _rsa()
    provider.publish("old", old)
    settings = _settings(provider, oidc_jwks_min_refresh_s=0.05)
    verify_token(settings, _token(old, "old", provider.issuer))
    provider.publish("new", new)
    time.sleep(0.1)

    caller = verify_token(settings, _token(new, "new", provider.issuer))

    assert caller.tenant == CUIYUAN
    assert provider.jwks_requests == 2


def test_tokens_with_made_up_key_ids_do_not_hammer_the_provider(provider: Provider) -> None:
    key = _rsa()
    provider.publish("rsa-1", key)
    settings = _settings(provider, oidc_jwks_min_refresh_s=60)
    verify_token(settings, _token(key, "rsa-1", provider.issuer))

    for n in range(20):
        with pytest.raises(Unauthorized, match="unknown signing key"):
            verify_token(settings, _token(key, f"made-up-{n}", provider.issuer))

    assert provider.jwks_requests == 1


def test_known_keys_keep_working_while_the_provider_is_down(provider: Provider) -> None:
    key = _rsa()
    provider.publish("rsa-1", key)
    settings = _settings(provider, oidc_jwks_max_age_s=0.05, oidc_jwks_min_refresh_s=0.05)
    verify_token(settings, _token(key, "rsa-1", provider.issuer))
    provider.server.shutdown()
    provider.server.server_close()
    time.sleep(0.1)

    caller = verify_token(settings, _token(key, "rsa-1", provider.issuer))

    assert caller.roles == frozenset({Role.COMMANDER})


def test_provider_never_reached_answers_unavailable_not_unauthorized(provider: Provider) -> None:
    issuer = provider.issuer
    provider.server.shutdown()
    provider.server.server_close()
    settings = ServiceSettings(environment="production", oidc_issuer=issuer, jwt_audience=AUDIENCE)

    with pytest.raises(Unavailable):
        verify_token(settings, _token(_rsa(), "rsa-1", issuer))


def test_discovery_naming_another_issuer_is_not_trusted(provider: Provider) -> None:
    key = _rsa()
    provider.publish("rsa-1", key)
    pretended = provider.issuer.replace("127.0.0.1", "localhost")
    settings = _settings(provider, oidc_issuer=pretended)

    with pytest.raises(Unavailable):
        verify_token(settings, _token(key, "rsa-1", pretended))


def test_explicit_jwks_url_skips_discovery(provider: Provider) -> None:
    key = _ec()
    provider.publish("ec-1", key)
    settings = _settings(provider, oidc_issuer=None, jwt_issuer=provider.issuer,
                         oidc_jwks_url=provider.issuer + "/protocol/openid-connect/certs")

    caller = verify_token(settings, _token(key, "ec-1", provider.issuer))

    assert caller.tenant == CUIYUAN


async def test_over_http_a_provider_token_is_served_and_an_unreachable_provider_is_503(
        provider: Provider) -> None:
    key = _rsa()
    provider.publish("rsa-1", key)
    token = _token(key, "rsa-1", provider.issuer)
    served = build(environment="production", oidc_issuer=provider.issuer, jwt_audience=AUDIENCE,
                   jwt_roles_claim="realm_access.roles")
    async with client(served) as http:
        answer = await http.get("/v1/things/t-1", headers={"Authorization": f"Bearer {token}"})
    provider.server.shutdown()
    provider.server.server_close()
    stranded = build(environment="production", oidc_issuer=provider.issuer + "/elsewhere",
                     jwt_audience=AUDIENCE, jwt_roles_claim="realm_access.roles")
    async with client(stranded) as http:
        refused = await http.get("/v1/things/t-1", headers={"Authorization": f"Bearer {token}"})

    assert answer.status_code == 200
    assert refused.status_code == 503
    assert refused.headers["content-type"].startswith("application/problem+json")
