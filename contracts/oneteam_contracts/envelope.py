"""The event envelope (CloudEvents 1.0 attributes plus OneTeam's) and its wire mappings."""

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any, Generic, Literal, TypeVar
from uuid import UUID, uuid4

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from .topics import MessageSpec, registered_spec, spec_for, spec_for_type
from .values import TenantCode, UtcDatetime

DataT = TypeVar("DataT")

_TYPE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"

# CloudEvents extension attribute names must be lowercase alphanumeric, so the envelope's
# snake_case names are renamed on the wire; "tenant" is already a valid name.
CE_EXTENSIONS = {
    "schema_version": "schemaversion",
    "correlation_id": "correlationid",
    "causation_id": "causationid",
}
_CE_ORDER = (
    "specversion", "id", "source", "type", "datacontenttype", "dataschema",
    "subject", "time", "tenant", "schemaversion", "correlationid", "causationid",
    "traceparent", "tracestate", "data",
)  # fmt: skip
# W3C trace context (the CloudEvents Distributed Tracing extension): version 00 only.
_TRACEPARENT_PATTERN = r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"
_TRACESTATE_MAX = 512


def _advice_only(limit: str | int) -> BeforeValidator:
    """Drop a malformed trace context: it is advice, never a reason to refuse an event."""

    def keep_if_valid(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        fits = len(value) <= limit if isinstance(limit, int) else re.fullmatch(limit, value) is not None
        return value if fits else None

    return BeforeValidator(keep_if_valid)


class Envelope(BaseModel, Generic[DataT]):
    """One event: who produced it, about what, for which tenant, and its data.

    The attribute names follow CloudEvents 1.0; ``tenant``, ``schema_version``,
    ``correlation_id`` and ``causation_id`` are OneTeam extensions.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    specversion: Literal["1.0"] = "1.0"
    id: UUID = Field(description="Unique per event; consumers deduplicate on it.")
    type: str = Field(pattern=_TYPE_PATTERN, description="Message type, e.g. incident.reported.")
    source: str = Field(min_length=1, max_length=255, description="Producing service, e.g. intake.")
    time: UtcDatetime = Field(description="When the event happened, in UTC.")
    tenant: TenantCode = Field(description="Administrative division code of the tenant.")
    subject: str = Field(min_length=1, max_length=255, description="Id of the aggregate the event is about.")
    schema_version: int = Field(ge=1, description="Version of the data schema for this type.")
    correlation_id: UUID = Field(description="Shared by every event of one business flow.")
    causation_id: UUID | None = Field(default=None, description="Id of the event that caused this.")
    datacontenttype: Literal["application/json"] = "application/json"
    # The Distributed Tracing extension: the outbox row carries the trace of the request
    # that wrote it to the relay and on to every consumer, with no column of its own.
    traceparent: Annotated[str | None, _advice_only(_TRACEPARENT_PATTERN)] = Field(
        default=None, pattern=_TRACEPARENT_PATTERN,
        description="W3C trace context of the work that produced the event.")
    tracestate: Annotated[str | None, _advice_only(_TRACESTATE_MAX)] = Field(
        default=None, max_length=_TRACESTATE_MAX, description="W3C vendor trace state.")
    data: DataT


@cache
def envelope_model(data_model: type[BaseModel]) -> type[Envelope[Any]]:
    """The envelope class whose ``data`` is validated as ``data_model``.

    Cached here: pydantic holds parametrised classes weakly, and rebuilding one after a garbage
    collection took ~7 % of dispatch's loop under position posts (py-spy).
    """
    parametrised: type[Envelope[Any]] = Envelope[data_model]  # type: ignore[valid-type]
    return parametrised


def new_event(
    data: BaseModel,
    *,
    source: str,
    tenant: str,
    subject: str,
    correlation_id: UUID | None = None,
    caused_by: Envelope[Any] | None = None,
    time: datetime | None = None,
) -> Envelope[Any]:
    """Wrap message data in a new envelope; type and version come from the registry."""
    spec = spec_for(type(data))
    if caused_by is not None:
        correlation_id = caused_by.correlation_id
    return envelope_model(spec.data_model)(
        id=uuid4(),
        type=spec.type,
        source=source,
        time=time if time is not None else datetime.now(UTC),
        tenant=tenant,
        subject=subject,
        schema_version=spec.version,
        correlation_id=correlation_id if correlation_id is not None else uuid4(),
        causation_id=caused_by.id if caused_by is not None else None,
        data=data,
    )


def parse_event(raw: bytes | str | dict[str, Any]) -> Envelope[Any]:
    """Validate an envelope and its data; ``data`` becomes the registered data model.

    Raises ``UnknownMessageType`` for a type or version the registry does not know and
    ``pydantic.ValidationError`` for an invalid envelope or data.
    """
    payload: Any = json.loads(raw) if isinstance(raw, str | bytes) else raw
    if isinstance(payload, Mapping) and "schemaversion" in payload:
        return from_cloudevent(payload)  # the structured CloudEvent, as records carry it now
    spec = _registered_spec(payload)
    if spec is None:
        # The envelope alone first, so that a bad envelope is reported as such and the
        # type and version are trustworthy before choosing the data model.
        head = Envelope[Any].model_validate(payload)
        spec = spec_for_type(head.type, head.schema_version)
    # A registered type and version validate once, envelope and data together: validating the
    # envelope first as well was half of a read model's parsing time (evaluation, py-spy).
    return envelope_model(spec.data_model).model_validate(payload)


def _registered_spec(payload: Any) -> MessageSpec | None:
    """The spec named by a payload's own type and schema_version, if both name a registered one."""
    if not isinstance(payload, Mapping):
        return None
    kind, version = payload.get("type"), payload.get("schema_version")
    if not isinstance(kind, str) or type(version) is not int:
        return None
    return registered_spec(kind, version)


def to_cloudevent(env: Envelope[Any]) -> dict[str, Any]:
    """The event in CloudEvents 1.0 JSON format (extensions renamed, dataschema added)."""
    return {**cloudevent_attributes(env), "data": env.model_dump(mode="json", include={"data"})["data"]}


def cloudevent_attributes(env: Envelope[Any]) -> dict[str, Any]:
    """The CloudEvents attributes of an event, as JSON values, without its data."""
    attributes = env.model_dump(mode="json", exclude={"data"})
    for optional in ("causation_id", "traceparent", "tracestate"):
        if attributes[optional] is None:
            del attributes[optional]
    for name, ce_name in CE_EXTENSIONS.items():
        if name in attributes:
            attributes[ce_name] = attributes.pop(name)
    attributes["dataschema"] = spec_for_type(env.type, env.schema_version).schema_id
    return {name: attributes[name] for name in _CE_ORDER if name in attributes}


def from_cloudevent(event: Mapping[str, Any]) -> Envelope[Any]:
    """The envelope of a CloudEvents 1.0 JSON event made by ``to_cloudevent``."""
    attributes = dict(event)
    dataschema = attributes.pop("dataschema", None)
    # The Kafka binding's partitionkey is the record key, which the registry derives anyway.
    attributes.pop("partitionkey", None)
    for name, ce_name in CE_EXTENSIONS.items():
        if ce_name in attributes:
            attributes[name] = attributes.pop(ce_name)
    env = parse_event(attributes)
    expected = spec_for_type(env.type, env.schema_version).schema_id
    if dataschema is not None and dataschema != expected:
        raise ValueError(f"dataschema {dataschema!r} does not match {expected!r}")
    return env


def kafka_headers(env: Envelope[Any]) -> list[tuple[str, bytes]]:
    """The headers of the legacy record form (value: ``model_dump_json()``), before wire 2.

    Consumers still read records in this form; producers now use ``kafka_binding.to_kafka``.
    """
    # Same text as in the JSON body, so a header and the body never disagree on format.
    wire = env.model_dump(mode="json", exclude={"data"})
    values = [
        ("ce_id", wire["id"]),
        ("ce_type", wire["type"]),
        ("ce_source", wire["source"]),
        ("ce_time", wire["time"]),
        ("ce_subject", wire["subject"]),
        ("ce_tenant", wire["tenant"]),
        ("ce_schemaversion", str(wire["schema_version"])),
        ("ce_correlationid", wire["correlation_id"]),
        ("ce_causationid", wire["causation_id"]),
        ("content-type", wire["datacontenttype"]),
    ]
    return [(name, value.encode()) for name, value in values if value is not None]
