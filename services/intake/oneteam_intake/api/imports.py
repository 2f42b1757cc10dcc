"""Grid-worker reporting integrations sending files: CSV or JSON Lines."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from oneteam_contracts import TenantCode
from oneteam_intake.api.deps import Importer, IntakeDep, TooLarge, UnsupportedType
from oneteam_intake.domain.batch import Parsed, decode, parse_csv, parse_jsonl
from oneteam_intake.service import Submission
from oneteam_servicekit import DomainError, RuntimeDep

router = APIRouter(prefix="/v1", tags=["batch import"])

_FORMATS = {"text/csv": "csv", "application/x-ndjson": "jsonl", "application/jsonl": "jsonl",
            "application/x-jsonlines": "jsonl"}


class RowErrorOut(BaseModel):
    """A row that was not imported, and why."""

    line: int
    field: str
    reason: str
    external_id: str | None = None


class RowOut(BaseModel):
    """A row that was imported (or had been already)."""

    line: int
    external_id: str
    outcome: Literal["opened", "merged", "triage", "duplicate"]
    report_id: UUID
    incident_id: UUID | None


class ImportOut(BaseModel):
    """Counts, the good rows and the bad ones with line numbers."""

    counts: dict[str, int]
    rows: list[RowOut]
    errors: list[RowErrorOut]


@router.post("/imports", response_model=ImportOut, summary=(
    "Import a CSV (text/csv, header row) or JSON Lines (application/x-ndjson) file of reports "
    "(grid_worker, commander, admin). Good rows are stored, bad rows are listed with line number "
    "and reason; rows are keyed by external_id, so re-sending the file adds nothing twice."))
async def import_reports(
    request: Request, runtime: RuntimeDep, intake: IntakeDep, caller: Importer,
    tenant: TenantCode, file_format: Annotated[Literal["csv", "jsonl"] | None, Query(alias="format")] = None,
) -> ImportOut:
    caller.check_tenant(tenant)
    kind = file_format or _FORMATS.get(request.headers.get("content-type", "").split(";")[0].strip().lower())
    if kind is None:
        raise UnsupportedType("Content-Type: send text/csv or application/x-ndjson, or ?format=csv|jsonl",
                              field="Content-Type")
    content = await _body(request, intake.settings.import_max_bytes)
    text = decode(content)
    limit = intake.settings.import_max_rows
    parsed: Parsed = parse_csv(text, limit) if kind == "csv" else parse_jsonl(text, limit)
    errors = [RowErrorOut(line=e.line, field=e.field, reason=e.reason, external_id=e.external_id)
              for e in parsed.errors]
    rows: list[RowOut] = []
    origin = f"import:{caller.subject}"
    async with runtime.transaction() as session:
        await intake.lock_categories(session, tenant, (parsed_row.row.category for parsed_row in parsed.rows))
        for parsed_row in parsed.rows:
            row = parsed_row.row
            try:
                async with session.begin_nested():
                    receipt = await intake.submit(session, Submission(
                        tenant=tenant, category=row.category, description=row.description, location=row.location,
                        source=row.source, origin=origin, external_id=row.external_id,
                        reporter_subject=caller.subject,
                        detail={"occurred_at": row.occurred_at.isoformat() if row.occurred_at else None,
                                "line": parsed_row.line},
                    ))
            except DomainError as error:
                failed = (error.extensions.get("errors") or [{"field": "row"}])[0]
                errors.append(RowErrorOut(line=parsed_row.line, field=str(failed.get("field", "row")),
                                          reason=error.detail, external_id=row.external_id))
                continue
            outcome: Literal["opened", "merged", "triage", "duplicate"] = (
                "duplicate" if receipt.duplicate else "triage" if receipt.incident is None
                else "merged" if receipt.merged else "opened")
            rows.append(RowOut(line=parsed_row.line, external_id=row.external_id, outcome=outcome,
                               report_id=receipt.report_id,
                               incident_id=receipt.incident.id if receipt.incident else None))
    errors.sort(key=lambda e: e.line)
    counts: Counter[str] = Counter(r.outcome for r in rows)
    counts["errors"] = len(errors)
    return ImportOut(counts=dict(counts), rows=rows, errors=errors)


async def _body(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"body: an import file may be at most {limit} bytes", field="body")
        chunks.append(chunk)
    return b"".join(chunks)
