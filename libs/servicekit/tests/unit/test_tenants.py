"""A token names the tenants it may see; only the platform-wide admin spans tenants, on the record."""

from __future__ import annotations

import logging

import jwt
import pytest

from oneteam_servicekit import Forbidden, ServiceSettings, Unauthorized
from oneteam_servicekit.auth import Role, issue_token, verify_token

SETTINGS = ServiceSettings()
CUIYUAN, XIXI = "330106004", "330106005"


def _unsigned_claims_token(**claims: object) -> str:
    base = {"sub": "someone", "iss": SETTINGS.jwt_issuer, "aud": SETTINGS.jwt_audience, "exp": 4_000_000_000}
    assert SETTINGS.jwt_secret is not None
    return jwt.encode({**base, **claims}, SETTINGS.jwt_secret, algorithm="HS256")


@pytest.mark.parametrize("role", ["grid_worker", "officer", "commander"])
def test_staff_token_without_a_tenant_is_refused(role: str) -> None:
    with pytest.raises(Unauthorized, match="must name its tenant"):
        verify_token(SETTINGS, issue_token(SETTINGS, "staff-1", [role]))


def test_commander_and_admin_together_without_a_tenant_is_still_refused() -> None:
    with pytest.raises(Unauthorized):
        verify_token(SETTINGS, issue_token(SETTINGS, "x", [Role.COMMANDER, Role.ADMIN]))


def test_staff_token_reaches_its_own_tenant_and_no_other() -> None:
    commander = verify_token(SETTINGS, issue_token(SETTINGS, "c-1", [Role.COMMANDER], tenant=CUIYUAN))

    commander.check_tenant(CUIYUAN)
    with pytest.raises(Forbidden):
        commander.check_tenant(XIXI)


def test_token_naming_several_tenants_reaches_each_of_them() -> None:
    token = issue_token(SETTINGS, "c-2", [Role.COMMANDER], tenants=[CUIYUAN, XIXI])

    commander = verify_token(SETTINGS, token)

    assert commander.tenant == CUIYUAN
    commander.check_tenant(XIXI)
    with pytest.raises(Forbidden):
        commander.check_tenant("330106006")


def test_platform_admin_spans_tenants_and_each_access_is_logged_without_the_subject(
        caplog: pytest.LogCaptureFixture) -> None:
    admin = verify_token(SETTINGS, issue_token(SETTINGS, "zhang.san@example.gov", [Role.ADMIN]))

    with caplog.at_level(logging.INFO):
        admin.check_tenant(XIXI)

    assert admin.platform_admin
    assert XIXI in caplog.text and "cross-tenant" in caplog.text
    assert "zhang.san" not in caplog.text


def test_tenant_admin_is_held_to_its_tenant() -> None:
    admin = verify_token(SETTINGS, issue_token(SETTINGS, "a-1", [Role.ADMIN], tenant=CUIYUAN))

    assert not admin.platform_admin
    with pytest.raises(Forbidden):
        admin.check_tenant(XIXI)


def test_citizen_account_needs_no_tenant_to_report_anywhere() -> None:
    citizen = verify_token(SETTINGS, issue_token(SETTINGS, "citizen-1", [Role.CITIZEN]))

    assert citizen.tenant is None and not citizen.platform_admin
    citizen.check_tenant(CUIYUAN)


@pytest.mark.parametrize("claims", [{"roles": ["commander"], "tenant": 330106004},
                                    {"roles": ["commander"], "tenants": "330106004"},
                                    {"roles": 7, "tenant": CUIYUAN},
                                    {"roles": ["officer"], "tenant": CUIYUAN, "officer_id": ["cy-1"]}])
def test_malformed_claims_are_refused_as_unauthorised(claims: dict[str, object]) -> None:
    with pytest.raises(Unauthorized):
        verify_token(SETTINGS, _unsigned_claims_token(**claims))
