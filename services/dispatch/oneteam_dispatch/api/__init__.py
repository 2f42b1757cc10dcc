"""Dispatch's HTTP edge, one router per concept."""

from oneteam_dispatch.api import assignments, board, joint, officers, position_stream, responsibilities

routers = [officers.router, position_stream.router, assignments.router, board.router, responsibilities.router,
           joint.router]

__all__ = ["routers"]
