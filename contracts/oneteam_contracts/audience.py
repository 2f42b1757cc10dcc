"""What a public topic may carry: no personal data and no free text. Pure, no I/O.

A string in a public message must be constrained (an enum, a pattern, a format such as uuid or
date-time), an opaque identifier or code named below, or a retired text field that producers
leave empty. Anything else could carry what somebody typed — a name, a plate number — to every
platform granted the topic, so ``free_text_fields`` fails the contracts tests when one appears.
"""

from typing import Any

from .envelope import Envelope, envelope_model
from .topics import MessageSpec, message_specs

Schema = dict[str, Any]

# Identifiers and codes from OneTeam's own registries (officer ids, evidence ids, team,
# district and grid codes): never a name, never typed by a reporter.
OPAQUE_FIELDS = frozenset({
    "officer_id", "officer_ids", "from_officer_id", "to_officer_ids", "runner_up_officer_id",
    "mediator_id", "photo_ids", "team", "district", "grid",
})
# Text fields of v1 messages kept for older readers; producers publish them empty or null.
RETIRED_TEXT = {
    "incident.reported": ("description",),
    "incident.closed": ("note",),
    "assignment.created": ("reason",),
    "assignment.reported": ("notes",),
    "assignment.reassigned": ("reason",),
    "assignment.escalated": ("reason",),
    "feedback.received": ("comment",),
}


def public_specs() -> list[MessageSpec]:
    """Every registered message on a public topic."""
    return [spec for spec in message_specs() if spec.topic.audience == "public"]


def free_text_fields(spec: MessageSpec) -> list[str]:
    """The data fields of ``spec`` that could hold free text (dotted paths), allowed ones aside."""
    schema = envelope_model(spec.data_model).model_json_schema()
    found: list[str] = []
    _walk(schema["properties"]["data"], schema, "", found)
    retired = set(RETIRED_TEXT.get(spec.type, ()))
    return sorted({path for path in found if path.split(".")[0] not in retired
                   and path.split(".")[-1].rstrip("[]") not in OPAQUE_FIELDS})


def retired_text_in(event: Envelope[Any]) -> list[str]:
    """Retired text fields that hold text in ``event`` (they must be empty on a public topic)."""
    data = event.data
    return [name for name in RETIRED_TEXT.get(event.type, ()) if getattr(data, name, None)]


def _walk(node: Schema, root: Schema, path: str, found: list[str]) -> None:
    if "$ref" in node:
        _walk(root["$defs"][node["$ref"].rsplit("/", 1)[-1]], root, path, found)
        return
    if node.get("type") == "string" and not {"pattern", "enum", "const", "format"} & set(node):
        found.append(path.lstrip("."))
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in node.get(key, ()):
            _walk(branch, root, path, found)
    for name, prop in node.get("properties", {}).items():
        _walk(prop, root, f"{path}.{name}", found)
    if isinstance(node.get("items"), dict):
        _walk(node["items"], root, path + "[]", found)
    if isinstance(node.get("additionalProperties"), dict):
        _walk(node["additionalProperties"], root, path + "{}", found)
