"""Who is calling: JWT bearer tokens with roles, checked once here for every service.

Development signs tokens with a shared secret (HS256); production verifies the identity
provider's tokens (RS256/ES256) with the keys its OIDC discovery document publishes
(`oneteam_servicekit.jwks`) or with one configured public key. Claims: `sub`, `roles`, `tenant` (the
subdistrict's division code) or `tenants` (a list, for staff serving several), and for
officers `officer_id`.

A token without a tenant would otherwise mean "every tenant", so only two kinds of caller
may leave it out: citizens (who reach no tenant-wide data, only their own reports) and an
`admin`, the platform-wide administrator. Every request such an admin makes is logged.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from oneteam_servicekit.errors import Forbidden, Unauthorized
from oneteam_servicekit.jwks import JwksSource, signing_keys
from oneteam_servicekit.settings import ServiceSettings
from oneteam_servicekit.verified import Verified

log = logging.getLogger(__name__)


class Role(StrEnum):
    """What a caller may be."""

    CITIZEN = "citizen"
    GRID_WORKER = "grid_worker"
    OFFICER = "officer"
    COMMANDER = "commander"
    ADMIN = "admin"
    # The case service's (案件) reviewers: 法制审核 (Art. 58), the department head who signs
    # off major decisions, and the read-only auditor (procuratorate, joint review).
    LEGAL_REVIEWER = "legal_reviewer"
    DEPARTMENT_HEAD = "department_head"
    AUDITOR = "auditor"


@dataclass(frozen=True)
class Principal:
    """The verified caller."""

    subject: str
    tenant: str | None  # the home tenant (first named); None only for platform-wide callers
    roles: frozenset[Role]
    officer_id: str | None = None
    tenants: frozenset[str] = field(default=frozenset())

    def __post_init__(self) -> None:
        if self.tenant is not None and self.tenant not in self.tenants:
            object.__setattr__(self, "tenants", self.tenants | {self.tenant})

    def has(self, *roles: Role) -> bool:
        """Whether the caller holds any of `roles`."""
        return bool(self.roles.intersection(roles))

    @property
    def platform_admin(self) -> bool:
        """An admin whose token names no tenant: the one caller who may span tenants."""
        return not self.tenants and Role.ADMIN in self.roles

    def may_access(self, tenant: str) -> bool:
        """Whether the caller may see `tenant`'s data; a platform admin's access is logged."""
        if tenant in self.tenants:
            return True
        if not self.tenants and self.roles <= {Role.CITIZEN}:
            return True  # a citizen's account is not bound to a place; routes give citizens no tenant-wide reads
        if self.platform_admin:
            log.warning("cross-tenant access by platform admin %s to tenant %s", self.reference, tenant)
            return True
        return False

    def check_tenant(self, tenant: str) -> None:
        """Refuse access to a tenant the token does not name (only a platform admin spans tenants)."""
        if not self.may_access(tenant):
            raise Forbidden(f"tenant {tenant} is not yours", field="tenant")

    @property
    def reference(self) -> str:
        """The subject pseudonymised for logs: traceable by whoever knows the subject, nothing more."""
        return "sub:" + hashlib.sha256(self.subject.encode()).hexdigest()[:12]


def issue_token(settings: ServiceSettings, subject: str, roles: list[Role] | list[str], *,
                tenant: str | None = None, officer_id: str | None = None,
                ttl: timedelta = timedelta(hours=12), tenants: list[str] | None = None) -> str:
    """Sign a development token with the shared secret (tests, demos, the load generator).

    Staff tokens need `tenant` (or `tenants`); leaving both out makes a platform-wide admin
    token, which only the `admin` role may be.
    """
    if not settings.jwt_secret:
        raise RuntimeError("JWT_SECRET is not set; production tokens come from the identity provider")
    now = datetime.now(UTC)
    claims: dict[str, Any] = {"sub": subject, "roles": [str(r) for r in roles], "iss": settings.jwt_issuer,
                              "aud": settings.jwt_audience, "iat": now, "exp": now + ttl}
    if tenant is not None:
        claims["tenant"] = tenant
    if tenants:
        claims["tenants"] = list(tenants)
    if officer_id is not None:
        claims["officer_id"] = officer_id
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def verify_token(settings: ServiceSettings, token: str) -> Principal:
    """Check signature, issuer, audience and expiry; return the caller."""
    return _verify(settings, token)[0]


def _verify(settings: ServiceSettings, token: str) -> tuple[Principal, float]:
    """The caller and the seconds left until the token expires."""
    issuer = settings.jwt_issuer
    if settings.oidc_issuer or settings.oidc_jwks_url:
        issuer = settings.oidc_issuer or issuer
        key, algorithms = _provider_key(settings, token)
    elif settings.jwt_public_key:
        key, algorithms = settings.jwt_public_key, ["RS256", "ES256"]
    elif settings.jwt_secret:
        key, algorithms = settings.jwt_secret, ["HS256"]
    else:
        raise Unauthorized("no token verification key is configured")
    try:
        claims = jwt.decode(token, key, algorithms=algorithms, audience=settings.jwt_audience,
                            issuer=issuer, options={"require": ["sub", "exp"]})
    except jwt.ExpiredSignatureError:
        raise Unauthorized("token expired") from None
    except jwt.InvalidTokenError as error:
        raise Unauthorized(f"invalid token: {error}") from None
    # An identity provider's role claim also carries its own roles (Keycloak's offline_access,
    # default-roles-<realm>): those are skipped; our own development tokens must be exact.
    roles = _roles(_claim(claims, settings.jwt_roles_claim) or [],
                   lenient=algorithms != ["HS256"])
    tenants = _tenants(claims.get(settings.jwt_tenant_claim), claims.get(settings.jwt_tenants_claim, []))
    home = tenants[0] if tenants else None
    if home is None and not roles <= {Role.CITIZEN, Role.ADMIN}:
        raise Unauthorized("invalid token: a staff token must name its tenant (claim 'tenant' or 'tenants'); "
                           "only the platform-wide admin role may span tenants")
    officer_id = claims.get("officer_id")
    if officer_id is not None and not isinstance(officer_id, str):
        raise Unauthorized("invalid token: officer_id must be a string")
    caller = Principal(subject=str(claims["sub"]), tenant=home, roles=roles, officer_id=officer_id,
                       tenants=frozenset(tenants))
    return caller, float(claims["exp"]) - datetime.now(UTC).timestamp()


def _context(settings: ServiceSettings) -> tuple[Any, ...]:
    """Everything a token's verification depends on besides the token."""
    return (settings.jwt_secret, settings.jwt_public_key, settings.jwt_issuer, settings.jwt_audience,
            settings.oidc_issuer, settings.oidc_jwks_url, settings.jwt_roles_claim, settings.jwt_tenant_claim,
            settings.jwt_tenants_claim)


_VERIFIED: Verified[tuple[Principal, float]] = Verified()  # (caller, expires at)


def _provider_key(settings: ServiceSettings, token: str) -> tuple[Any, list[str]]:
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.InvalidTokenError as error:
        raise Unauthorized(f"invalid token: {error}") from None
    source = JwksSource(issuer=settings.oidc_issuer, jwks_url=settings.oidc_jwks_url,
                        min_refresh_s=settings.oidc_jwks_min_refresh_s, max_age_s=settings.oidc_jwks_max_age_s)
    key, algorithm = signing_keys(source).key_for(kid if isinstance(kid, str) else None)
    return key.key, [algorithm]


def _claim(claims: dict[str, Any], path: str) -> Any:
    """A claim by dotted path (`realm_access.roles`), None when any step is missing."""
    value: Any = claims
    for step in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def _roles(names: Any, *, lenient: bool) -> frozenset[Role]:
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise Unauthorized("invalid token: roles must be a list of strings")
    known = {str(r) for r in Role}
    unknown = [n for n in names if n not in known]
    if unknown and not lenient:
        raise Unauthorized(f"invalid token: unknown roles {unknown}")
    return frozenset(Role(n) for n in names if n in known)


def _tenants(tenant: Any, listed: Any) -> list[str]:
    if (tenant is not None and not isinstance(tenant, str)) or not isinstance(listed, list) or not all(
            isinstance(t, str) and t for t in listed):
        raise Unauthorized("invalid token: 'tenant' must be a string and 'tenants' a list of strings")
    return ([tenant] if tenant else []) + [t for t in listed if t != tenant]


async def bearer_caller(settings: ServiceSettings, header: str | None) -> tuple[Principal, float] | None:
    """The caller an `Authorization: Bearer` header names, and when the token expires (Unix
    seconds); None without a header. A bad token raises Unauthorized.

    Shared by HTTP requests and the officers' WebSocket, which checks the expiry as it goes.
    """
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Authorization must be 'Bearer <token>'")
    token = token.strip()
    context = _context(settings)
    cached = _VERIFIED.get(token, context)
    if cached is not None:
        return cached
    # Async, so FastAPI does not hop to its thread pool on every request (py-spy: ~5 % of a
    # busy service's loop). Only a provider's keys may need fetching over HTTP: that, and
    # only that, goes to a thread so the loop never waits on the identity provider.
    if settings.oidc_issuer or settings.oidc_jwks_url:
        principal, left = await run_in_threadpool(_verify, settings, token)
    else:
        principal, left = _verify(settings, token)
    found = (principal, time.time() + left)
    _VERIFIED.put(token, context, found, left)  # refused tokens raised above: never kept
    return found


async def optional_principal(request: Request) -> Principal | None:
    """Dependency: the caller if a bearer token came, else None; a bad token is still refused."""
    found = await bearer_caller(request.app.state.runtime.settings, request.headers.get("authorization"))
    if found is None:
        return None
    principal = found[0]
    if principal.platform_admin:
        # The deliberate, audited exception: which admin touched what, never a body or a name.
        log.warning("platform admin %s: %s %s", principal.reference, request.method, request.url.path)
    return principal


def require(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """Dependency factory: a caller holding one of `roles` (401 without a token, 403 without the role)."""

    async def dependency(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
        return holding(principal, *roles)

    return dependency


def holding(principal: Principal | None, *roles: Role) -> Principal:
    """The caller, refused when absent (401) or holding none of `roles` (403); any role when none given."""
    if principal is None:
        raise Unauthorized("a bearer token is required")
    if roles and not principal.has(*roles):
        raise Forbidden(f"requires one of the roles: {', '.join(roles)}")
    return principal
