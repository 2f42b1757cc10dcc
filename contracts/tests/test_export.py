import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from oneteam_contracts import AssignmentAcknowledged, Envelope, message_specs, to_kafka
from oneteam_contracts.export import DEFAULT_ROOT, export, main, render

SCHEMA = "schemas/incident.reported.v1.json"


@pytest.fixture
def committed(tmp_path: Path) -> Path:
    """A scratch copy of the committed contracts output, safe to edit."""
    root = tmp_path / "contracts"
    shutil.copytree(DEFAULT_ROOT / "schemas", root / "schemas")
    shutil.copy(DEFAULT_ROOT / "asyncapi.json", root / "asyncapi.json")
    return root


def _edit_schema(root: Path, change: Any) -> str:
    path = root / SCHEMA
    schema = json.loads(path.read_text())
    change(schema["$defs"]["IncidentReported"])
    text = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    path.write_text(text)
    return text


def test_committed_files_are_up_to_date() -> None:
    assert export(DEFAULT_ROOT, check=True) == []


def test_rendering_is_deterministic() -> None:
    assert render() == render()


def test_check_fails_when_a_committed_file_was_edited(committed: Path) -> None:
    edited = _edit_schema(committed, lambda data: data.update(title="Edited"))

    problems = export(committed, check=True)

    assert problems == [f"contracts/{SCHEMA} is out of date; run make contracts"]
    assert (committed / SCHEMA).read_text() == edited
    assert main(["--check", "--root", str(committed)]) == 1


def test_export_brings_an_edited_file_back_up_to_date(committed: Path) -> None:
    _edit_schema(committed, lambda data: data.update(title="Edited"))

    assert export(committed) == []
    assert export(committed, check=True) == []
    assert (committed / SCHEMA).read_text() == (DEFAULT_ROOT / SCHEMA).read_text()


def test_export_fills_an_empty_directory(tmp_path: Path) -> None:
    assert main(["--root", str(tmp_path)]) == 0

    assert main(["--check", "--root", str(tmp_path)]) == 0
    assert len(list((tmp_path / "schemas").glob("*.json"))) == len(message_specs())


def test_a_removed_field_is_refused_and_nothing_is_written(committed: Path) -> None:
    # The committed v1 had a field that the code no longer has.
    edited = _edit_schema(committed, lambda data: data["properties"].update(legacy_code={"type": "string"}))

    problems = export(committed)

    assert problems == [
        "incident.reported v1: field 'data.legacy_code' removed; publish it as v2",
    ]
    assert (committed / SCHEMA).read_text() == edited


def test_a_newly_required_field_is_refused(committed: Path) -> None:
    def drop_reported_at(data: dict[str, Any]) -> None:
        del data["properties"]["reported_at"]
        data["required"].remove("reported_at")

    _edit_schema(committed, drop_reported_at)

    assert export(committed, check=True) == [
        "incident.reported v1: field 'data.reported_at' newly required; publish it as v2",
    ]


def test_a_new_optional_field_is_accepted_and_written(committed: Path) -> None:
    _edit_schema(committed, lambda data: data["properties"].pop("grid"))

    assert export(committed) == []
    assert "grid" in json.loads((committed / SCHEMA).read_text())["$defs"]["IncidentReported"]["properties"]


def test_a_schema_file_without_a_registered_message_is_reported(committed: Path) -> None:
    shutil.copy(committed / SCHEMA, committed / "schemas/incident.teleported.v1.json")

    [problem] = export(committed, check=True)

    assert "incident.teleported.v1.json belongs to no registered message" in problem


def test_schema_files_name_themselves_by_urn() -> None:
    schema = json.loads((DEFAULT_ROOT / SCHEMA).read_text())

    assert schema["$id"] == "urn:oneteam:schema:incident.reported:v1"
    assert schema["properties"]["type"]["const"] == "incident.reported"


TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def test_asyncapi_payload_is_the_structured_cloudevent_producers_send(
    acknowledged_event: Envelope[AssignmentAcknowledged],
) -> None:
    document = json.loads((DEFAULT_ROOT / "asyncapi.json").read_text())
    payload = document["components"]["schemas"]["assignment.acknowledged.v1"]

    sent = json.loads(to_kafka(acknowledged_event).value)

    assert set(sent) <= set(payload["properties"]) and set(payload["required"]) <= set(sent)
    assert payload["properties"]["dataschema"]["const"] == sent["dataschema"]


def test_asyncapi_headers_match_the_kafka_headers_producers_send(
    acknowledged_event: Envelope[AssignmentAcknowledged],
) -> None:
    document = json.loads((DEFAULT_ROOT / "asyncapi.json").read_text())
    message = document["components"]["messages"]["assignment.acknowledged.v1"]

    traced = acknowledged_event.model_copy(update={"traceparent": TRACEPARENT, "tracestate": "a=1"})
    sent = [name for name, _ in to_kafka(traced).headers]

    assert sorted(message["headers"]["properties"]) == sorted(sent)
    assert message["contentType"] == "application/cloudevents+json"
    assert message["bindings"]["kafka"]["key"]["description"].startswith("data.incident_id")


def test_asyncapi_refs_all_resolve_inside_the_document() -> None:
    document = json.loads((DEFAULT_ROOT / "asyncapi.json").read_text())

    refs: list[str] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            refs.extend(v for k, v in node.items() if k == "$ref")
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    collect(document)

    assert refs
    for ref in refs:
        target: Any = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
