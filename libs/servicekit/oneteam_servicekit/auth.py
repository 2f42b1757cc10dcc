"""Who is calling: JWT bearer tokens with roles, checked once here for every service.

Development signs tokens with a shared secret (HS256); production verifies the identity
provider's tokens with its public key (RS256/ES256). Claims: `sub`, `tenant` (the
subdistrict's division code; absent for cross-tenant admins), `roles`, and for officers
`officer_id`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request

from oneteam_servicekit.errors import Forbidden, Unauthorized
from oneteam_servicekit.settings import ServiceSettings


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
    tenant: str | None
    roles: frozenset[Role]
    officer_id: str | None = None

    def has(self, *roles: Role) -> bool:
        """Whether the caller holds any of `roles`."""
        return bool(self.roles.intersection(roles))

    def check_tenant(self, tenant: str) -> None:
        """Refuse access to another tenant's data (admins without a tenant see all)."""
        if self.tenant is not None and self.tenant != tenant:
            raise Forbidden(f"tenant {tenant} is not yours")


def issue_token(settings: ServiceSettings, subject: str, roles: list[Role] | list[str], *,
                tenant: str | None = None, officer_id: str | None = None,
                ttl: timedelta = timedelta(hours=12)) -> str:
    """Sign a development token with the shared secret (tests, demos, the load generator)."""
    if not settings.jwt_secret:
        raise RuntimeError("JWT_SECRET is not set; production tokens come from the identity provider")
    now = datetime.now(UTC)
    claims: dict[str, Any] = {"sub": subject, "roles": [str(r) for r in roles], "iss": settings.jwt_issuer,
                              "aud": settings.jwt_audience, "iat": now, "exp": now + ttl}
    if tenant is not None:
        claims["tenant"] = tenant
    if officer_id is not None:
        claims["officer_id"] = officer_id
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def verify_token(settings: ServiceSettings, token: str) -> Principal:
    """Check signature, issuer, audience and expiry; return the caller."""
    if settings.jwt_public_key:
        key, algorithms = settings.jwt_public_key, ["RS256", "ES256"]
    elif settings.jwt_secret:
        key, algorithms = settings.jwt_secret, ["HS256"]
    else:
        raise Unauthorized("no token verification key is configured")
    try:
        claims = jwt.decode(token, key, algorithms=algorithms, audience=settings.jwt_audience,
                            issuer=settings.jwt_issuer, options={"require": ["sub", "exp"]})
    except jwt.ExpiredSignatureError:
        raise Unauthorized("token expired") from None
    except jwt.InvalidTokenError as error:
        raise Unauthorized(f"invalid token: {error}") from None
    try:
        roles = frozenset(Role(r) for r in claims.get("roles", []))
    except ValueError as error:
        raise Unauthorized(f"invalid token: {error}") from None
    return Principal(subject=str(claims["sub"]), tenant=claims.get("tenant"), roles=roles,
                     officer_id=claims.get("officer_id"))


def optional_principal(request: Request) -> Principal | None:
    """Dependency: the caller if a bearer token came, else None; a bad token is still refused."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Authorization must be 'Bearer <token>'")
    return verify_token(request.app.state.runtime.settings, token.strip())


def require(*roles: Role) -> Callable[..., Principal]:
    """Dependency factory: a caller holding one of `roles` (401 without a token, 403 without the role)."""

    def dependency(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
        if principal is None:
            raise Unauthorized("a bearer token is required")
        if roles and not principal.has(*roles):
            raise Forbidden(f"requires one of the roles: {', '.join(roles)}")
        return principal

    return dependency
