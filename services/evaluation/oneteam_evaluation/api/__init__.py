"""Evaluation's HTTP edge, one router per concept."""

from oneteam_evaluation.api import kpis, reports, scorecards

routers = [kpis.router, scorecards.router, reports.router]

__all__ = ["routers"]
