"""What every console route needs: the runtime, and the caller with the token they came with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from oneteam_console.domain.access import actions, panels
from oneteam_console.runtime import ConsoleRuntime
from oneteam_servicekit import Forbidden, Unauthorized
from oneteam_servicekit.auth import Principal, optional_principal


def get_console(request: Request) -> ConsoleRuntime:
    """Dependency: the console's runtime."""
    runtime: ConsoleRuntime = request.app.state.runtime
    return runtime


Console = Annotated[ConsoleRuntime, Depends(get_console)]


@dataclass(frozen=True)
class Caller:
    """The verified user, the token the services will verify again, and what the screen shows them."""

    principal: Principal
    token: str

    @property
    def panels(self) -> frozenset[str]:
        return panels(self.principal.roles)

    @property
    def actions(self) -> frozenset[str]:
        return actions(self.principal.roles)

    def tenant(self, asked: str | None) -> str:
        """The tenant to show: the one asked for if the token names it, else the token's home tenant."""
        chosen = asked or self.principal.tenant
        if chosen is None:
            raise Forbidden("a platform-wide token must name the tenant to show", field="tenant")
        self.principal.check_tenant(chosen)
        return chosen

    def may(self, action: str) -> None:
        """Refuse an action the role may not take from the screen."""
        if action not in self.actions:
            raise Forbidden(f"your roles may not {action.replace('_', ' ')}")


def get_caller(request: Request,
               principal: Annotated[Principal | None, Depends(optional_principal)]) -> Caller:
    """Dependency: a signed-in caller whose roles see at least one panel."""
    if principal is None:
        raise Unauthorized("sign in with a bearer token")
    caller = Caller(principal, request.headers["authorization"].partition(" ")[2].strip())
    if not caller.panels:
        raise Forbidden("the command-centre screen is for commanders, department heads and auditors")
    return caller


Signed = Annotated[Caller, Depends(get_caller)]
