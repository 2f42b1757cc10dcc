"""Parsing import files: good rows kept, bad rows named by line and field."""

import pytest

from oneteam_contracts import ReportSource
from oneteam_intake.domain.batch import decode, parse_csv, parse_jsonl
from oneteam_servicekit import InvalidRequest

HEADER = "external_id,category,description,lon,lat,crs,source,occurred_at\n"


def test_csv_rows_become_reports_with_line_numbers() -> None:
    parsed = parse_csv(HEADER + "a1,noise,夜间施工,120.12,30.29,,,2026-11-25T22:00:00+08:00\n"
                                "a2,dispute,邻里纠纷,120.13,30.28,gcj02,patrol,\n", 100)

    assert [(row.line, row.row.external_id) for row in parsed.rows] == [(2, "a1"), (3, "a2")]
    assert parsed.rows[0].row.source is ReportSource.GRID_WORKER
    assert parsed.rows[0].row.occurred_at is not None and parsed.rows[0].row.occurred_at.hour == 14
    assert parsed.rows[1].row.location.lon < 120.13, "GCJ-02 converted to WGS-84"
    assert parsed.errors == []


def test_bad_rows_are_named_and_the_rest_kept() -> None:
    parsed = parse_csv(HEADER + "b1,noise,ok,120.12,30.29,,,\n"
                                "b2,Noise!,bad code,120.12,30.29,,,\n"
                                "b3,noise,,120.12,30.29,,,\n"
                                "b4,noise,too few\n"
                                "b5,noise,bad time,120.12,30.29,,,yesterday\n", 100)

    assert [row.line for row in parsed.rows] == [2]
    assert [(e.line, e.field, e.external_id) for e in parsed.errors] == [
        (3, "category", "b2"), (4, "description", "b3"), (5, "row", None), (6, "occurred_at", "b5")]


def test_a_quoted_newline_does_not_shift_line_numbers_of_later_rows() -> None:
    parsed = parse_csv(HEADER + 'c1,noise,"第一行\n第二行",120.12,30.29,,,\nc2,noise,x,120.12,95,,,\n', 100)

    assert parsed.rows[0].row.description == "第一行\n第二行"
    assert [(e.line, e.field) for e in parsed.errors] == [(4, "location.lat")]


def test_unknown_columns_and_too_many_rows_refuse_the_file() -> None:
    assert parse_csv("id,what\n1,2\n", 100).errors[0].field == "header"
    assert parse_csv("", 100).errors[0].field == "file"
    many = parse_csv(HEADER + "x,noise,d,120.12,30.29,,,\n" * 3, 2)
    assert many.rows == [] and "limit of 2" in many.errors[0].reason


def test_json_lines_accept_nested_or_flat_locations() -> None:
    parsed = parse_jsonl('{"external_id": "j1", "category": "noise", "description": "d", '
                         '"location": {"lon": 120.12, "lat": 30.29}}\n\n'
                         '{"external_id": "j2", "category": "noise", "description": "d", "lon": 120.1, "lat": 30.3}\n'
                         '{"external_id": "j3"\n'
                         '"just a string"\n', 100)

    assert [row.line for row in parsed.rows] == [1, 3]
    assert [(e.line, e.field) for e in parsed.errors] == [(4, "row"), (5, "row")]


def test_excel_bom_and_gb18030_files_are_read() -> None:
    assert decode("\ufeffexternal_id".encode()) == "external_id"
    assert decode("噪音扰民".encode("gb18030")) == "噪音扰民"


def test_a_control_character_in_a_row_is_that_rows_error_not_a_crash() -> None:
    parsed = parse_csv(HEADER + "c1,noise,夜间\x00施工,120.12,30.29,,,\nc2,noise,ok,120.12,30.29,,,\n", 100)
    lines = parse_jsonl('{"external_id": "j1", "category": "noise", "description": "a\\u0000b", '
                        '"location": {"lon": 120.12, "lat": 30.29, "crs": "wgs\\u0007"}}', 100)

    assert [row.row.external_id for row in parsed.rows] == ["c2"]
    assert [(e.line, e.field) for e in parsed.errors] == [(2, "description")]
    assert [e.field for e in lines.errors] == ["description"]


def test_a_file_in_no_known_text_encoding_is_refused_naming_the_byte() -> None:
    with pytest.raises(InvalidRequest, match="byte 0"):
        decode(b"\xff\xfe\x00garbage")
