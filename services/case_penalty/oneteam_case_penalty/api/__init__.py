"""Case-penalty's HTTP edge, one router per concept."""

from oneteam_case_penalty.api import cases, documents, oversight, payments, steps

routers = [cases.router, steps.router, documents.router, oversight.router, payments.router]

__all__ = ["routers"]
