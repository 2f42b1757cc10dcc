"""Evaluation's HTTP edge, one router per concept."""

from oneteam_evaluation.api import kpis, scorecards

routers = [kpis.router, scorecards.router]

__all__ = ["routers"]
