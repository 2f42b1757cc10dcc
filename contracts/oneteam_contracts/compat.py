"""Backward-compatibility check between two JSON Schemas of one message version.

Breaking, for a published (type, version): a property removed, a property's type changed
(nullability and string format included), a property newly required, or an enum value
removed. Adding an optional property or an enum value is allowed. Pure, no I/O.
"""

from typing import Any

Schema = dict[str, Any]


def breaking_changes(old_schema: Schema, new_schema: Schema) -> list[str]:
    """Every breaking change from ``old_schema`` to ``new_schema``, naming the field."""
    comparison = _Comparison(old_schema, new_schema)
    comparison.compare(old_schema, new_schema, "")
    return comparison.changes


def _resolve(node: Schema, root: Schema) -> tuple[Schema, str | None]:
    """Follow local ``$ref``s (keeping sibling keywords); also return the last ref followed."""
    ref: str | None = None
    followed: set[str] = set()
    while True:
        if "$ref" in node:
            ref = node["$ref"]
        elif len(node.get("allOf", ())) == 1:
            # Older pydantic wraps a ref with a default or description in a one-item allOf.
            node = {**node["allOf"][0], **{k: v for k, v in node.items() if k != "allOf"}}
            continue
        else:
            return node, ref
        if not isinstance(ref, str) or not ref.startswith("#/") or ref in followed:
            return node, ref
        followed.add(ref)
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _branches(node: Schema) -> list[Schema]:
    return list(node.get("anyOf", ())) + list(node.get("oneOf", ()))


def _non_null(branches: list[Schema]) -> list[Schema]:
    return [branch for branch in branches if branch.get("type") != "null"]


def _field(path: str) -> str:
    return f"field '{path}'" if path else "the schema"


class _Comparison:
    """Walks two schemas side by side, collecting breaking changes."""

    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self.old_root = old_root
        self.new_root = new_root
        self.changes: list[str] = []
        # Recursive models ($ref cycles) are compared once per pair of definitions.
        self._seen: set[tuple[str, str]] = set()

    def types(self, node: Schema, root: Schema) -> frozenset[str]:
        """The JSON types a schema admits, with string formats, e.g. {"string:uuid", "null"}."""
        node, _ = _resolve(node, root)
        branches = _branches(node)
        if branches:
            return frozenset().union(*(self.types(branch, root) for branch in branches))
        if "const" in node:
            names = {_json_type(node["const"])}
        elif "enum" in node:
            names = {_json_type(value) for value in node["enum"]}
        elif "type" in node:
            declared = node["type"]
            names = set(declared) if isinstance(declared, list) else {declared}
        elif "properties" in node:
            names = {"object"}
        else:
            return frozenset({"any"})
        if "format" in node and "string" in names:
            names = (names - {"string"}) | {f"string:{node['format']}"}
        return frozenset(names)

    def compare(self, old: Schema, new: Schema, path: str) -> None:
        old, old_ref = _resolve(old, self.old_root)
        new, new_ref = _resolve(new, self.new_root)
        if old_ref is not None and new_ref is not None:
            if (old_ref, new_ref) in self._seen:
                return
            self._seen.add((old_ref, new_ref))
        old_types = self.types(old, self.old_root)
        new_types = self.types(new, self.new_root)
        if old_types != new_types:
            self.changes.append(
                f"{_field(path)} type changed from {' | '.join(sorted(old_types))} "
                f"to {' | '.join(sorted(new_types))}"
            )
            return
        self._compare_enums(old, new, path)
        self._compare_objects(old, new, path)
        if isinstance(old.get("items"), dict) and isinstance(new.get("items"), dict):
            self.compare(old["items"], new["items"], f"{path}[]")
        old_options, new_options = _non_null(_branches(old)), _non_null(_branches(new))
        # Optional[X] on both sides: look inside X. Wider unions are judged by types alone.
        if len(old_options) == 1 and len(new_options) == 1:
            self.compare(old_options[0], new_options[0], path)

    def _compare_enums(self, old: Schema, new: Schema, path: str) -> None:
        if "enum" not in old or "enum" not in new:
            return
        for value in old["enum"]:
            if value not in new["enum"]:
                self.changes.append(f"{_field(path)} no longer allows {value!r}")

    def _compare_objects(self, old: Schema, new: Schema, path: str) -> None:
        prefix = f"{path}." if path else ""
        old_properties: Schema = old.get("properties", {})
        new_properties: Schema = new.get("properties", {})
        for name, old_property in old_properties.items():
            if name not in new_properties:
                self.changes.append(f"{_field(prefix + name)} removed")
            else:
                self.compare(old_property, new_properties[name], prefix + name)
        old_required = set(old.get("required", ()))
        for name in new.get("required", ()):
            if name not in old_required:
                self.changes.append(f"{_field(prefix + name)} newly required")
        old_extra, new_extra = old.get("additionalProperties"), new.get("additionalProperties")
        if isinstance(old_extra, dict) and isinstance(new_extra, dict):
            self.compare(old_extra, new_extra, f"{prefix}*")
