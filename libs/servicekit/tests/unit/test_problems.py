"""Problems outside an HTTP request (a WebSocket frame's error) carry what an HTTP answer would."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, ValidationError

from oneteam_servicekit import Unavailable
from oneteam_servicekit.problems import PROBLEM_BASE, domain_problem, invalid_input


class Spot(BaseModel):
    lat: float = Field(ge=-90, le=90)


def refused(data: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        Spot.model_validate_json(data)
    return caught.value


def test_json_pydantic_cannot_parse_is_named_with_its_line_and_column() -> None:
    data = '{"lat":\n  ['
    problem = invalid_input(refused(data).errors(), data, "/v1/frames")

    assert problem["status"] == 422 and problem["instance"] == "/v1/frames"
    assert problem["errors"][0]["field"] == "body"
    assert problem["detail"].startswith("body: invalid JSON: ") and "at line 2 column" in problem["detail"]


def test_a_field_out_of_range_is_named() -> None:
    data = '{"lat": 91}'
    problem = invalid_input(refused(data).errors(), data, "/v1/frames")

    assert [e["field"] for e in problem["errors"]] == ["lat"]
    assert problem["type"] == PROBLEM_BASE + "validation-error"


def test_a_domain_error_keeps_its_status_and_extensions() -> None:
    problem = domain_problem(Unavailable("try again", retry_after_s=1), "/v1/frames")

    assert (problem["status"], problem["detail"], problem["retry_after_s"]) == (503, "try again", 1)
