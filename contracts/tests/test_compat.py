import copy
from typing import Any

from pydantic import BaseModel

from oneteam_contracts import IncidentReported, envelope_model
from oneteam_contracts.compat import breaking_changes


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = envelope_model(IncidentReported).model_json_schema()
    return schema


def _data(schema: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = schema["$defs"]["IncidentReported"]
    return data


def test_an_unchanged_schema_has_no_breaking_changes() -> None:
    assert breaking_changes(_schema(), _schema()) == []


def test_removing_a_data_field_is_breaking() -> None:
    new = _schema()
    del _data(new)["properties"]["priority"]
    _data(new)["required"].remove("priority")

    assert breaking_changes(_schema(), new) == ["field 'data.priority' removed"]


def test_removing_an_envelope_field_is_breaking() -> None:
    new = _schema()
    del new["properties"]["tenant"]

    assert "field 'tenant' removed" in breaking_changes(_schema(), new)


def test_changing_a_field_type_is_breaking() -> None:
    new = _schema()
    _data(new)["properties"]["description"] = {"type": "integer"}

    assert breaking_changes(_schema(), new) == [
        "field 'data.description' type changed from string to integer"
    ]


def test_changing_a_nested_field_type_through_a_ref_is_breaking() -> None:
    new = _schema()
    new["$defs"]["GeoPoint"]["properties"]["lat"] = {"type": "string"}

    assert breaking_changes(_schema(), new) == [
        "field 'data.location.lat' type changed from number to string"
    ]


def test_changing_a_string_format_is_breaking() -> None:
    new = _schema()
    del _data(new)["properties"]["incident_id"]["format"]

    assert breaking_changes(_schema(), new) == [
        "field 'data.incident_id' type changed from string:uuid to string"
    ]


def test_making_a_field_nullable_is_breaking() -> None:
    new = _schema()
    _data(new)["properties"]["description"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}

    assert breaking_changes(_schema(), new) == [
        "field 'data.description' type changed from string to null | string"
    ]


def test_a_new_required_field_is_breaking() -> None:
    new = _schema()
    _data(new)["properties"]["officer_count"] = {"type": "integer"}
    _data(new)["required"].append("officer_count")

    assert breaking_changes(_schema(), new) == ["field 'data.officer_count' newly required"]


def test_making_an_optional_field_required_is_breaking() -> None:
    new = _schema()
    _data(new)["required"].append("district")

    assert breaking_changes(_schema(), new) == ["field 'data.district' newly required"]


def test_a_new_optional_field_is_not_breaking() -> None:
    new = _schema()
    _data(new)["properties"]["building"] = {
        "anyOf": [{"type": "string"}, {"type": "null"}],
        "default": None,
    }

    assert breaking_changes(_schema(), new) == []


def test_removing_an_enum_value_is_breaking_and_adding_one_is_not() -> None:
    fewer, more = _schema(), _schema()
    fewer["$defs"]["ReportSource"]["enum"].remove("shop_app")
    more["$defs"]["ReportSource"]["enum"].append("wechat")

    assert breaking_changes(_schema(), fewer) == ["field 'data.source' no longer allows 'shop_app'"]
    assert breaking_changes(_schema(), more) == []


def test_changes_inside_lists_and_optional_models_are_found() -> None:
    class Point(BaseModel):
        lat: float

    class Officer(BaseModel):
        team: str

    class Before(BaseModel):
        points: list[Point]
        officer: Officer | None = None

    old = Before.model_json_schema()
    new = copy.deepcopy(old)
    new["$defs"]["Point"]["properties"]["lat"] = {"type": "string"}
    del new["$defs"]["Officer"]["properties"]["team"]

    assert breaking_changes(old, new) == [
        "field 'points[].lat' type changed from number to string",
        "field 'officer.team' removed",
    ]


def test_recursive_schemas_are_compared_without_looping() -> None:
    class Node(BaseModel):
        name: str
        children: list["Node"] = []

    schema = Node.model_json_schema()

    assert breaking_changes(schema, copy.deepcopy(schema)) == []
