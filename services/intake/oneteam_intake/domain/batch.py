"""Batch import files from grid-worker reporting integrations: CSV or JSON Lines.

Each data row becomes an `ImportRow` or a `RowError` with its line number (the CSV header is
line 1). Rows carry the sender's `external_id`, so a re-sent file adds nothing twice.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from oneteam_contracts import CategoryCode, GeoPoint, ReportSource, UtcDatetime
from oneteam_servicekit.errors import InvalidRequest
from oneteam_servicekit.text import forbidden_character

CSV_COLUMNS = ("external_id", "category", "description", "lon", "lat", "crs", "source", "occurred_at")


class ImportRow(BaseModel):
    """One report in an import file."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    external_id: str = Field(min_length=1, max_length=200)
    category: CategoryCode
    description: str = Field(min_length=1, max_length=2000)
    location: GeoPoint
    source: ReportSource = ReportSource.GRID_WORKER
    occurred_at: UtcDatetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _flat_location(cls, data: Any) -> Any:
        # CSV has no nesting: lon, lat and crs columns become the location object.
        if isinstance(data, dict) and "location" not in data and ("lon" in data or "lat" in data):
            data = dict(data)
            location = {"lon": data.pop("lon", None), "lat": data.pop("lat", None)}
            crs = data.pop("crs", None)
            if crs:
                location["crs"] = crs
            data["location"] = location
        return data


@dataclass(frozen=True)
class ParsedRow:
    """A row that passed validation."""

    line: int
    row: ImportRow


@dataclass(frozen=True)
class RowError:
    """A row that did not, and why."""

    line: int
    field: str
    reason: str
    external_id: str | None = None


@dataclass(frozen=True)
class Parsed:
    """The good rows and the bad ones of one file."""

    rows: list[ParsedRow]
    errors: list[RowError]


def decode(content: bytes) -> str:
    """Text of an upload: UTF-8 (with or without the BOM Excel writes) or GB18030."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Spreadsheets saved on Chinese Windows default to GBK, which GB18030 contains.
        return content.decode("gb18030")
    except UnicodeDecodeError as error:
        raise InvalidRequest(f"body: neither UTF-8 nor GB18030 text (byte {error.start})", field="body") from None


def parse_csv(text: str, max_rows: int) -> Parsed:
    """Parse CSV with a header row naming the columns (any order; extras are errors)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return Parsed([], [RowError(1, "file", "the file is empty; expected a header row")])
    names = [name.strip() for name in header]
    unknown = [name for name in names if name not in CSV_COLUMNS]
    if unknown:
        return Parsed([], [RowError(1, "header", f"unknown columns {unknown}; known: {list(CSV_COLUMNS)}")])
    records: list[tuple[int, dict[str, Any] | None]] = []
    for values in reader:
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(names):
            records.append((line, None))
            continue
        records.append((line, {n: v for n, v in zip(names, values, strict=True) if v.strip() != ""}))
    return _validate(records, max_rows, f"expected {len(names)} values as in the header")


def parse_jsonl(text: str, max_rows: int) -> Parsed:
    """Parse JSON Lines: one object per line, nested `location` or flat `lon`/`lat`."""
    records: list[tuple[int, dict[str, Any] | None]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as error:
            records.append((number, {"__json_error__": error.msg}))
            continue
        records.append((number, value if isinstance(value, dict) else None))
    return _validate(records, max_rows, "expected a JSON object")


def _validate(records: list[tuple[int, dict[str, Any] | None]], max_rows: int, shape: str) -> Parsed:
    if len(records) > max_rows:
        return Parsed([], [RowError(0, "file", f"{len(records)} rows is more than the limit of {max_rows}")])
    rows: list[ParsedRow] = []
    errors: list[RowError] = []
    for line, record in records:
        if record is None:
            errors.append(RowError(line, "row", shape))
            continue
        if "__json_error__" in record:
            errors.append(RowError(line, "row", f"not valid JSON: {record['__json_error__']}"))
            continue
        external_id = record.get("external_id")
        bad = _control_character(record)
        if bad is not None:
            errors.append(RowError(line, bad[0], bad[1], str(external_id) if external_id else None))
            continue
        try:
            rows.append(ParsedRow(line, ImportRow.model_validate(record)))
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "row"
            errors.append(RowError(line, field, first["msg"], str(external_id) if external_id else None))
    return Parsed(rows, errors)


def _control_character(record: dict[str, Any]) -> tuple[str, str] | None:
    # The same rule as every JSON field at the HTTP edge, which never sees inside a file.
    for name, value in record.items():
        values = value.values() if isinstance(value, dict) else [value]
        for text in values:
            reason = forbidden_character(text) if isinstance(text, str) else None
            if reason is not None:
                return name, reason
    return None
