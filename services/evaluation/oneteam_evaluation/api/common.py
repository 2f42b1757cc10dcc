"""What every evaluation route shares: the runtime, the readers by role, the query window, CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from oneteam_evaluation.runtime import EvaluationRuntime
from oneteam_servicekit import Forbidden, InvalidRequest
from oneteam_servicekit.auth import Principal, Role, require


def get_evaluation(request: Request) -> EvaluationRuntime:
    """Dependency: evaluation's runtime."""
    runtime: EvaluationRuntime = request.app.state.runtime
    return runtime


Evaluation = Annotated[EvaluationRuntime, Depends(get_evaluation)]

# Commanders, department heads and auditors (the supervisors' and procuratorate's view) read
# every figure of their tenant; an officer reads only their own (by officer, their id).
TENANT_READERS = (Role.COMMANDER, Role.DEPARTMENT_HEAD, Role.AUDITOR, Role.ADMIN)
Reader = Annotated[Principal, Depends(require(Role.OFFICER, *TENANT_READERS))]
DEFAULT_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Window:
    """The query's [start, end), in UTC."""

    start: datetime
    end: datetime


def window(
    start: Annotated[datetime | None, Query(alias="from", description="ISO 8601; default: 30 days before `to`")] = None,
    end: Annotated[datetime | None, Query(alias="to", description="Exclusive, ISO 8601; default: now")] = None,
) -> Window:
    """Dependency: the query window; naive times are refused, as everywhere in OneTeam."""
    for value in (start, end):
        if value is not None and value.tzinfo is None:
            raise InvalidRequest("from and to need a time zone, e.g. 2026-11-01T00:00:00+08:00", field="from")
    to = (end or datetime.now(UTC)).astimezone(UTC)
    since = (start or to - DEFAULT_WINDOW).astimezone(UTC)
    if since >= to:
        raise InvalidRequest("from must be before to", field="from")
    if to - since > timedelta(days=400):
        raise InvalidRequest("a window may span at most 400 days", field="from")
    return Window(since, to)


Span = Annotated[Window, Depends(window)]


def check_reader(principal: Principal, tenant: str, dimension: str | None = None) -> str | None:
    """Refuse another tenant; for an officer, the officer id their figures are limited to."""
    principal.check_tenant(tenant)
    if principal.has(*TENANT_READERS):
        return None
    if principal.officer_id is None or (dimension is not None and dimension != "officer"):
        raise Forbidden("an officer sees only their own figures: dimension=officer", field="dimension")
    return principal.officer_id


CSV = "text/csv"
# Routes that answer a download beside JSON declare it, so the OpenAPI document lists what they send.
CSV_TOO: dict[int | str, dict[str, Any]] = {200: {"content": {CSV: {}}}}


def csv_response(header: Sequence[str], rows: Iterable[Sequence[Any]], filename: str) -> Response:
    """A CSV download (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return Response("\ufeff" + buffer.getvalue(), media_type=f"{CSV}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
