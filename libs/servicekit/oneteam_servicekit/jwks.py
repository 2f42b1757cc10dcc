"""The identity provider's signing keys (OIDC): found by discovery, fetched as a JWKS, cached.

Keys rotate: a token signed with a key we have not seen makes us fetch the set again, but at
most once per `min_refresh_s`, so a stream of tokens with made-up `kid`s cannot turn every
request into a call to the identity provider. The set is also refreshed when older than
`max_age_s`; if that refresh fails the keys we have keep serving (the provider being down
must not sign everybody out), and only a service that never got a key answers 503.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt

from oneteam_servicekit.errors import Unauthorized, Unavailable

log = logging.getLogger(__name__)

# Asymmetric algorithms only: an HS256 token must never verify against a public key.
ALGORITHMS_BY_KEY_TYPE = {"RSA": "RS256", "EC": "ES256"}
DISCOVERY_PATH = "/.well-known/openid-configuration"


@dataclass(frozen=True)
class JwksSource:
    """Where the keys come from: a JWKS URL, or the issuer whose discovery document names it."""

    issuer: str | None
    jwks_url: str | None
    min_refresh_s: float = 30.0
    max_age_s: float = 3600.0
    timeout_s: float = 5.0


class SigningKeys:
    """A cache of one provider's signing keys, safe to share between request threads."""

    def __init__(self, source: JwksSource, clock: Callable[[], float] = time.monotonic) -> None:
        if not source.issuer and not source.jwks_url:
            raise ValueError("an OIDC issuer or a JWKS URL is needed")
        self._source = source
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self.fetches = 0  # how many times the provider was asked (operators' and tests' view)

    def key_for(self, kid: str | None) -> tuple[jwt.PyJWK, str]:
        """The key that signed a token with header `kid`, and the one algorithm it may use."""
        with self._lock:
            now = self._clock()
            stale = self._fetched_at is None or now - self._fetched_at >= self._source.max_age_s
            unknown = self._find(kid) is None
            may_refetch = self._fetched_at is None or now - self._fetched_at >= self._source.min_refresh_s
            if stale or (unknown and may_refetch):
                self._refresh(now)
            key, have_keys = self._find(kid), bool(self._keys)
        if not have_keys:
            raise Unavailable("the identity provider's signing keys cannot be fetched", retry_after_s=5)
        if key is None:
            raise Unauthorized(f"invalid token: unknown signing key {kid!r}")
        algorithm = ALGORITHMS_BY_KEY_TYPE.get(str(key.key_type))
        if algorithm is None:
            raise Unauthorized(f"invalid token: key {kid!r} is of type {key.key_type}, not RSA or EC")
        return key, algorithm

    def _find(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))  # a provider with one key may leave kid out
        return self._keys.get(kid) if kid is not None else None

    def _refresh(self, now: float) -> None:
        self._fetched_at = now  # also on failure: a failing provider is asked again only after the pause
        try:
            self._keys = self._fetch()
        except (OSError, ValueError, jwt.PyJWKSetError) as error:
            if not self._keys:
                log.error("cannot fetch the identity provider's signing keys: %s", error)
                return
            log.warning("refreshing the identity provider's signing keys failed, keeping %d: %s",
                        len(self._keys), error)

    def _fetch(self) -> dict[str, jwt.PyJWK]:
        self.fetches += 1
        url = self._source.jwks_url or self._discover()
        jwk_set = jwt.PyJWKSet.from_dict(_get_json(url, self._source.timeout_s))
        # Encryption keys (use "enc") sit in the same set at Keycloak; they never sign.
        return {key.key_id or "": key for key in jwk_set.keys if key.public_key_use in (None, "sig")}

    def _discover(self) -> str:
        issuer = str(self._source.issuer).rstrip("/")
        document = _get_json(issuer + DISCOVERY_PATH, self._source.timeout_s)
        # OIDC Discovery 1.0, section 4.3: the document's issuer must be the one we asked.
        if str(document.get("issuer", "")).rstrip("/") != issuer:
            raise ValueError(f"discovery document names issuer {document.get('issuer')!r}, not {issuer!r}")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str):
            raise ValueError("discovery document has no jwks_uri")
        return jwks_uri


def _get_json(url: str, timeout_s: float) -> dict[str, Any]:
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"not an http(s) URL: {url!r}")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        data = json.loads(response.read(1024 * 1024))
    if not isinstance(data, dict):
        raise ValueError(f"{url} did not return a JSON object")
    return data


_cache_lock = threading.Lock()
_caches: dict[JwksSource, SigningKeys] = {}


def signing_keys(source: JwksSource) -> SigningKeys:
    """The process-wide key cache for `source` (one per provider, shared by every request)."""
    with _cache_lock:
        keys = _caches.get(source)
        if keys is None:
            keys = _caches[source] = SigningKeys(source)
        return keys
