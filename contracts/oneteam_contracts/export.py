"""Write the JSON Schemas and the AsyncAPI document, refusing breaking changes.

``python -m oneteam_contracts.export`` regenerates ``contracts/schemas/`` and
``contracts/asyncapi.json``; with ``--check`` it writes nothing and exits 1 on drift or on
a breaking change.
"""

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from inspect import cleandoc
from pathlib import Path
from typing import Any

from .asyncapi import asyncapi_document
from .compat import breaking_changes
from .envelope import envelope_model
from .topics import MessageSpec, message_specs

# The contracts/ directory of a source checkout (the package is installed editable).
DEFAULT_ROOT = Path(__file__).resolve().parent.parent
SCHEMAS_DIR = "schemas"
ASYNCAPI_FILE = "asyncapi.json"
_JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def envelope_schema(spec: MessageSpec) -> dict[str, Any]:
    """The JSON Schema of the envelope carrying one (type, version)."""
    schema = envelope_model(spec.data_model).model_json_schema()
    schema["$schema"] = _JSON_SCHEMA_DIALECT
    schema["$id"] = spec.schema_id
    schema["title"] = f"{spec.type} v{spec.version}"
    schema["description"] = cleandoc(spec.data_model.__doc__ or spec.type).splitlines()[0]
    # The envelope model accepts any type; this file describes exactly one (type, version).
    schema["properties"]["type"]["const"] = spec.type
    schema["properties"]["schema_version"]["const"] = spec.version
    return schema


def schema_path(spec: MessageSpec) -> str:
    """Path of a message's schema file, relative to the contracts root."""
    return f"{SCHEMAS_DIR}/{spec.type}.v{spec.version}.json"


def render_json(document: Any) -> str:
    """Deterministic JSON text: sorted keys, indent 2, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render() -> dict[str, str]:
    """Every generated file's text, keyed by path relative to the contracts root."""
    pairs = [(spec, envelope_schema(spec)) for spec in message_specs()]
    files = {schema_path(spec): render_json(schema) for spec, schema in pairs}
    files[ASYNCAPI_FILE] = render_json(asyncapi_document(pairs))
    return files


@dataclass
class Plan:
    """What an export would do under one root: files to write, drift and breaks found."""

    root: Path
    writes: dict[str, str] = field(default_factory=dict)
    drift: list[str] = field(default_factory=list)
    breaks: list[str] = field(default_factory=list)

    def shown(self, relative: str) -> str:
        return f"{self.root.name}/{relative}"


def plan(root: Path) -> Plan:
    """Compare freshly rendered files with those under ``root``; touches nothing."""
    result = Plan(root)
    rendered = render()
    specs = {schema_path(spec): spec for spec in message_specs()}
    for relative, text in rendered.items():
        path = root / relative
        old_text = path.read_text(encoding="utf-8") if path.exists() else None
        if old_text == text:
            continue
        result.writes[relative] = text
        state = "is missing" if old_text is None else "is out of date"
        result.drift.append(f"{result.shown(relative)} {state}; run make contracts")
        spec = specs.get(relative)
        if spec is not None and old_text is not None:
            result.breaks.extend(_breaks(spec, old_text, json.loads(text)))
    for path in sorted((root / SCHEMAS_DIR).glob("*.json")):
        relative = f"{SCHEMAS_DIR}/{path.name}"
        if relative not in rendered:
            result.breaks.append(
                f"{result.shown(relative)} belongs to no registered message; consumers may "
                "still rely on it: keep the message registered, or delete the file on purpose"
            )
    return result


def _breaks(spec: MessageSpec, old_text: str, new_schema: dict[str, Any]) -> list[str]:
    label = f"{spec.type} v{spec.version}"
    try:
        old_schema = json.loads(old_text)
    except ValueError as error:
        return [f"{label}: committed schema is not valid JSON ({error}); cannot compare"]
    return [
        f"{label}: {change}; publish it as v{spec.version + 1}"
        for change in breaking_changes(old_schema, new_schema)
    ]


def export(root: Path = DEFAULT_ROOT, *, check: bool = False) -> list[str]:
    """Regenerate the files under ``root`` (or only check them); return the problems found.

    Nothing is written when a breaking change is found, or when ``check`` is true.
    """
    result = plan(root)
    if result.breaks:
        return result.breaks
    if check:
        return result.drift
    for relative, text in result.writes.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return []


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry: exit 0 when everything is (now) up to date, 1 otherwise."""
    parser = argparse.ArgumentParser(prog="python -m oneteam_contracts.export")
    parser.add_argument("--check", action="store_true", help="write nothing; fail on drift")
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="contracts directory")
    args = parser.parse_args(argv)
    problems = export(args.root, check=args.check)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
