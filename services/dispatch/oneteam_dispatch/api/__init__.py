"""Dispatch's HTTP edge, one router per concept."""

from oneteam_dispatch.api import assignments, board, joint, officers, responsibilities

routers = [officers.router, assignments.router, board.router, responsibilities.router, joint.router]

__all__ = ["routers"]
