"""The documented Keycloak realm gives the tokens the services expect.

Roles are the kit's `Role` values, the tenant and officer claims carry the names the settings
read, the API audience is added, and only an administrator can change a user's tenant.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from oneteam_servicekit import ServiceSettings
from oneteam_servicekit.auth import Role

REALM_FILE = Path(__file__).resolve().parents[2] / "deploy" / "keycloak" / "realm-oneteam.json"
REALM: dict[str, Any] = json.loads(REALM_FILE.read_text(encoding="utf-8"))
CLIENT = next(client for client in REALM["clients"] if client["clientId"] == "oneteam-console")
DEFAULTS = ServiceSettings(jwt_secret="only-for-this-test")


def _mappers(kind: str) -> list[dict[str, Any]]:
    return [m for m in CLIENT["protocolMappers"] if m["protocolMapper"] == kind]


def _profile_attributes() -> dict[str, dict[str, Any]]:
    provider = REALM["components"]["org.keycloak.userprofile.UserProfileProvider"][0]
    profile = json.loads(provider["config"]["kc.user.profile.config"][0])
    return {attribute["name"]: attribute for attribute in profile["attributes"]}


def test_realm_roles_are_the_suites_roles() -> None:
    assert {role["name"] for role in REALM["roles"]["realm"]} == {str(role) for role in Role}


def test_tokens_carry_the_tenant_and_officer_claims_the_services_read() -> None:
    claims = {m["config"]["claim.name"]: m["config"] for m in _mappers("oidc-usermodel-attribute-mapper")}

    assert set(claims) == {DEFAULTS.jwt_tenant_claim, DEFAULTS.jwt_tenants_claim, "officer_id"}
    assert claims[DEFAULTS.jwt_tenants_claim]["multivalued"] == "true"
    assert all(config["access.token.claim"] == "true" for config in claims.values())


def test_tokens_carry_the_subject_and_the_realm_roles() -> None:
    # A client that lists any scope gets only those: without `basic` Keycloak 25 leaves out
    # `sub`, without `roles` `realm_access.roles` (found against a real Keycloak).
    assert {"basic", "roles"} <= set(CLIENT["defaultClientScopes"])


def test_access_tokens_name_the_services_audience() -> None:
    [audience] = _mappers("oidc-audience-mapper")

    assert audience["config"]["included.custom.audience"] == DEFAULTS.jwt_audience
    assert audience["config"]["access.token.claim"] == "true"


def test_only_an_administrator_can_change_whom_a_user_serves() -> None:
    attributes = _profile_attributes()

    for name in ("tenant", "tenants", "officer_id"):
        assert attributes[name]["permissions"]["edit"] == ["admin"], name


def test_the_console_signs_in_with_the_code_flow_and_pkce_only() -> None:
    assert CLIENT["publicClient"] is True
    assert CLIENT["attributes"]["pkce.code.challenge.method"] == "S256"
    assert CLIENT["directAccessGrantsEnabled"] is False and CLIENT["implicitFlowEnabled"] is False
    assert REALM["defaultSignatureAlgorithm"] in ("RS256", "ES256")
