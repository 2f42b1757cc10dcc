"""Case-penalty's HTTP edge, one router per concept."""

from oneteam_case_penalty.api import cases, oversight, payments, steps

routers = [cases.router, steps.router, oversight.router, payments.router]

__all__ = ["routers"]
