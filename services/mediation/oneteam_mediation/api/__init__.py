"""Mediation's HTTP edge, one router per concept."""

from oneteam_mediation.api import mediations, work

routers = [mediations.router, work.router]

__all__ = ["routers"]
