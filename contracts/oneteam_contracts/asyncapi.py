"""Build the AsyncAPI 2.6 document describing every topic and message. Pure, no I/O."""

from collections.abc import Iterable
from inspect import cleandoc
from typing import Any

from .access import ASYNCAPI_GROUP_ID, ASYNCAPI_SECURITY_SCHEMES, ASYNCAPI_SERVERS
from .envelope import CE_EXTENSIONS
from .kafka_binding import STRUCTURED_CONTENT_TYPE
from .topics import MessageSpec, TopicSpec, dead_letter_topic

Schema = dict[str, Any]

# Version of the document as a whole; each message carries its own schema version.
API_VERSION = "1.0.0"
_KAFKA_BINDING_VERSION = "0.4.0"
_DEFS_REF = "#/$defs/"
_COMPONENTS_REF = "#/components/schemas/"

_DESCRIPTION = """\
Events published by OneTeam, the command-and-dispatch system of Zhejiang's unified
grassroots law enforcement ("一支队伍管执法").

Every record is a CloudEvent 1.0 in the Kafka binding's structured content mode: the
`content-type` header is `application/cloudevents+json`, the value is the event in JSON with
the extensions tenant, schemaversion, correlationid, causationid and the Distributed Tracing
extension's traceparent and tracestate; `data` holds the message and `dataschema` names its
JSON Schema. The record key is the CloudEvents `partitionkey` (the field each message names),
so one aggregate's events are ordered within each topic; the W3C `traceparent` header repeats
the attribute. Records written before wire 2 hold the envelope's own JSON (snake_case names)
with `ce_*` headers; `oneteam_contracts.event_from_kafka` reads both.

A published (type, schema_version) only ever gains optional fields; anything else is
published as the next schema_version. Messages carry no personal data. Records a consumer
cannot handle go to the topic's dead-letter topic, `<topic>.dlq`.
"""


def asyncapi_document(envelopes: Iterable[tuple[MessageSpec, Schema]]) -> Schema:
    """The AsyncAPI document for the given messages and their envelope JSON Schemas."""
    pairs = list(envelopes)
    schemas: Schema = {}
    messages: Schema = {}
    by_topic: dict[TopicSpec, list[str]] = {}
    for spec, envelope_schema in pairs:
        key = _message_key(spec)
        _hoist(envelope_schema, key, schemas)
        messages[key] = _message(spec)
        by_topic.setdefault(spec.topic, []).append(key)
    return {
        "asyncapi": "2.6.0",
        "id": "urn:oneteam:events",
        "info": {"title": "OneTeam events", "version": API_VERSION, "description": _DESCRIPTION},
        "servers": ASYNCAPI_SERVERS,
        "defaultContentType": STRUCTURED_CONTENT_TYPE,
        "channels": {topic.name: _channel(topic, keys) for topic, keys in by_topic.items()},
        "components": {"messages": messages, "schemas": schemas, "securitySchemes": ASYNCAPI_SECURITY_SCHEMES},
    }


def _message_key(spec: MessageSpec) -> str:
    return f"{spec.type}.v{spec.version}"


def _hoist(envelope_schema: Schema, key: str, schemas: Schema) -> None:
    """Move the envelope schema and its $defs into components.schemas, rewriting refs."""
    body = {k: v for k, v in _as_cloudevent(envelope_schema).items() if k not in ("$defs", "$id", "$schema")}
    # $id is dropped: inside a component it would re-base the rewritten local refs.
    schemas[key] = _rewrite_refs(body)
    for name, definition in envelope_schema.get("$defs", {}).items():
        rewritten = _rewrite_refs(definition)
        if schemas.setdefault(name, rewritten) != rewritten:
            raise ValueError(f"two different schemas are named {name!r}; rename one model")


def _as_cloudevent(envelope: Schema) -> Schema:
    """The envelope schema with the attribute names a structured CloudEvent uses on the wire."""
    properties = {CE_EXTENSIONS.get(name, name): prop for name, prop in envelope["properties"].items()}
    properties["dataschema"] = {"type": "string", "const": envelope["$id"], "title": "Dataschema"}
    required = [CE_EXTENSIONS.get(name, name) for name in envelope.get("required", [])]
    return {**envelope, "properties": properties, "required": [*required, "dataschema"]}


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: _COMPONENTS_REF + v[len(_DEFS_REF) :]
            if k == "$ref" and isinstance(v, str) and v.startswith(_DEFS_REF)
            else _rewrite_refs(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    return node


def _channel(topic: TopicSpec, message_keys: list[str]) -> Schema:
    config = topic.retention.topic_config()
    return {
        "description": f"{topic.description} Dead letters: {dead_letter_topic(topic.name)}.",
        "bindings": {
            "kafka": {
                "topic": topic.name,
                "partitions": topic.partitions,
                "topicConfiguration": {
                    "cleanup.policy": [config["cleanup.policy"]],
                    "retention.ms": int(config["retention.ms"]),
                },
                "bindingVersion": _KAFKA_BINDING_VERSION,
            }
        },
        # AsyncAPI 2.x: "subscribe" lists what OneTeam publishes for others to subscribe to.
        "subscribe": {
            "operationId": "receive_" + topic.name.replace(".", "_"),
            "summary": f"Events published on {topic.name}.",
            "bindings": {"kafka": {"groupId": ASYNCAPI_GROUP_ID, "bindingVersion": _KAFKA_BINDING_VERSION}},
            "message": {"oneOf": [{"$ref": f"#/components/messages/{key}"} for key in message_keys]},
        },
    }


def _message(spec: MessageSpec) -> Schema:
    doc = cleandoc(spec.data_model.__doc__ or spec.type)
    return {
        "messageId": _message_key(spec),
        "name": spec.type,
        "title": f"{spec.type} v{spec.version}",
        "summary": doc.splitlines()[0],
        "description": (
            f"Envelope type `{spec.type}`, schema_version {spec.version}, data "
            f"`{spec.data_model.__name__}`. Record key: data.{spec.key_field}."
        ),
        "contentType": STRUCTURED_CONTENT_TYPE,
        "x-dataschema": spec.schema_id,
        "headers": _headers(),
        "payload": {"$ref": _COMPONENTS_REF + _message_key(spec)},
        "bindings": {
            "kafka": {
                "key": {
                    "type": "string",
                    "description": f"data.{spec.key_field} as UTF-8 text.",
                },
                "bindingVersion": _KAFKA_BINDING_VERSION,
            }
        },
    }


def _headers() -> Schema:
    properties: Schema = {
        "content-type": {"type": "string", "const": STRUCTURED_CONTENT_TYPE},
        "traceparent": {"type": "string", "description": "W3C trace context; absent when untraced."},
        "tracestate": {"type": "string", "description": "W3C vendor trace state, if any."},
    }
    return {"type": "object", "properties": properties, "required": ["content-type"]}
