"""Against a real Keycloak that imported deploy/keycloak/realm-oneteam.json: its token passes
the services' verification with the production settings of deploy/k8s.

Runs when KEYCLOAK_URL (e.g. http://127.0.0.1:18080) and KEYCLOAK_ADMIN_PASSWORD (of the
master realm's `admin`) are set; docs/deploy.md says how to start one. The test makes a user
through the admin API, lets the console client use the password grant for the test (the realm
file keeps it off), and verifies the token it gets.
"""

from __future__ import annotations

import os
import uuid

import httpx
import pytest

from oneteam_servicekit import ServiceSettings
from oneteam_servicekit.auth import Role, verify_token

KEYCLOAK = os.environ.get("KEYCLOAK_URL", "").rstrip("/")
pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not KEYCLOAK, reason="KEYCLOAK_URL is not set: no Keycloak to ask")]
TENANT = "330106004"


def _admin(client: httpx.Client) -> dict[str, str]:
    answer = client.post(f"{KEYCLOAK}/realms/master/protocol/openid-connect/token", data={
        "grant_type": "password", "client_id": "admin-cli", "username": os.environ.get("KEYCLOAK_ADMIN", "admin"),
        "password": os.environ["KEYCLOAK_ADMIN_PASSWORD"]})
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _commander(client: httpx.Client, headers: dict[str, str]) -> tuple[str, str]:
    api = f"{KEYCLOAK}/admin/realms/oneteam"
    username, password = f"commander-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    client.post(f"{api}/users", headers=headers, json={
        "username": username, "enabled": True, "email": f"{username}@example.gov.cn", "emailVerified": True,
        "firstName": "Test", "lastName": "Commander",
        "attributes": {"tenant": [TENANT]},
        "credentials": [{"type": "password", "value": password, "temporary": False}]}).raise_for_status()
    [user] = client.get(f"{api}/users", headers=headers, params={"username": username, "exact": "true"}).json()
    role = client.get(f"{api}/roles/commander", headers=headers).json()
    client.post(f"{api}/users/{user['id']}/role-mappings/realm", headers=headers, json=[role]).raise_for_status()
    [console] = client.get(f"{api}/clients", headers=headers, params={"clientId": "oneteam-console"}).json()
    client.put(f"{api}/clients/{console['id']}", headers=headers,
               json={**console, "directAccessGrantsEnabled": True}).raise_for_status()
    return username, password


def test_keycloak_token_verifies_with_the_production_settings() -> None:
    with httpx.Client(timeout=30) as client:
        username, password = _commander(client, _admin(client))
        answer = client.post(f"{KEYCLOAK}/realms/oneteam/protocol/openid-connect/token", data={
            "grant_type": "password", "client_id": "oneteam-console", "username": username,
            "password": password, "scope": "openid"})
        answer.raise_for_status()
    settings = ServiceSettings(environment="production", oidc_issuer=f"{KEYCLOAK}/realms/oneteam",
                               jwt_audience="oneteam", jwt_roles_claim="realm_access.roles")

    caller = verify_token(settings, answer.json()["access_token"])

    assert caller.roles == frozenset({Role.COMMANDER})
    assert caller.tenant == TENANT
