"""Who may do what on the broker: Kafka ACLs derived from the topic registry. Pure, no I/O.

Each service and each subscribing platform is one principal (a SASL/SCRAM user). A service
declares the message types it publishes and consumes; its topics follow from the registry, so
a new message type moves the ACLs with it. A platform is granted public topics by name.
`deploy/kafka` applies these rules to a local Apache Kafka; Strimzi `KafkaUser` resources are
rendered from the same `acl_rules` call, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .topics import TopicSpec, dead_letter_topic, spec_for, topics

ResourceType = Literal["topic", "group", "cluster"]
PatternType = Literal["literal", "prefix"]
# Kafka's operation names, spelt as Strimzi's KafkaUser `acls[].operations` spells them.
Operation = Literal["Read", "Write", "Create", "Describe", "DescribeConfigs"]

_NAME = re.compile(r"^[a-z][a-z0-9_-]{1,62}$")


class AccessError(ValueError):
    """A principal or grant that the registry does not allow (unknown type, internal topic...)."""


@dataclass(frozen=True)
class AclRule:
    """One allow rule: `principal` may do `operations` on a resource (all hosts)."""

    principal: str
    resource_type: ResourceType
    resource_name: str
    pattern: PatternType
    operations: tuple[Operation, ...]

    def strimzi(self) -> dict[str, Any]:
        """This rule as an entry of a Strimzi KafkaUser's `spec.authorization.acls`."""
        resource: dict[str, Any] = {"type": self.resource_type}
        if self.resource_type != "cluster":
            resource.update(name=self.resource_name, patternType=self.pattern)
        return {"resource": resource, "operations": list(self.operations), "host": "*"}


@dataclass(frozen=True)
class ServiceAccess:
    """A service principal: the message types it publishes and those its consumers handle.

    `watches` names topics read without a consumer group or dead letters (partitions assigned
    by hand, as the console's doorbell does).
    """

    name: str
    publishes: tuple[str, ...] = ()
    consumes: tuple[str, ...] = ()
    watches: tuple[str, ...] = ()

    @property
    def group_prefix(self) -> str:
        """Every consumer group of the service starts with this (e.g. `intake.`)."""
        return f"{self.name}."


@dataclass(frozen=True)
class PlatformGrant:
    """A subscribing platform (e.g. the district event centre) and the public topics it may read.

    `submits_reports` lets it write reports for intake (report.submitted); nothing else is
    ever writable by a platform.
    """

    name: str
    topics: tuple[str, ...]
    submits_reports: bool = False
    description: str = field(default="", compare=False)

    @property
    def group_prefix(self) -> str:
        """Every consumer group of the platform must start with this."""
        return f"{self.name}."


# Which service publishes and consumes what. Consumed types must match each service's
# subscriptions (tests/security/test_access.py checks them against the services' code).
SERVICES: tuple[ServiceAccess, ...] = (
    ServiceAccess(
        "intake",
        publishes=("incident.reported", "incident.merged", "incident.closed", "incident.reopened",
                   "feedback.received"),
        consumes=("assignment.created", "assignment.reassigned", "assignment.acknowledged",
                  "assignment.arrived", "assignment.reported", "incident.closed", "report.submitted"),
    ),
    ServiceAccess(
        "dispatch",
        publishes=("assignment.created", "assignment.acknowledged", "assignment.arrived",
                   "assignment.reported", "assignment.reassigned", "assignment.escalated",
                   "assignment.sla_breached", "assignment.cancelled", "assignment.queued",
                   "incident.closed", "officer.position_reported", "case.requested", "mediation.requested"),
        consumes=("incident.reported", "incident.merged", "incident.closed", "incident.reopened"),
    ),
    ServiceAccess(
        "case_penalty",
        publishes=("case.opened", "case.filed", "case.decided", "case.deadline_warning",
                   "case.deadline_missed", "case.transferred", "case.closed"),
        consumes=("case.requested", "mediation.failed", "mediation.agreement_kept"),
    ),
    ServiceAccess(
        "mediation",
        publishes=("mediation.opened", "mediation.session_scheduled", "mediation.session_cancelled",
                   "mediation.session_reminder", "mediation.session_held", "mediation.agreement_signed",
                   "mediation.agreement_kept", "mediation.agreement_broken", "mediation.concluded",
                   "mediation.deadline_warning", "mediation.deadline_missed", "mediation.failed"),
        consumes=("mediation.requested",),
    ),
    ServiceAccess(
        "evaluation",
        publishes=("kpi.alert", "kpi.recovered"),
        consumes=("incident.reported", "incident.merged", "incident.closed", "incident.reopened",
                  "assignment.created", "assignment.reassigned", "assignment.acknowledged",
                  "assignment.arrived", "assignment.reported", "assignment.cancelled", "assignment.queued",
                  "feedback.received", "case.opened", "case.decided", "case.deadline_missed", "case.closed",
                  "mediation.failed", "mediation.concluded"),
    ),
    # The command centre's console reads its pictures through the services' APIs; records on
    # these topics only tell it when to look again (oneteam_console.wakeup).
    ServiceAccess("console", watches=("oneteam.incidents", "oneteam.assignments", "oneteam.officer-positions")),
)


def is_public(topic: TopicSpec) -> bool:
    """Whether other platforms may be granted `topic`: the registry's `audience` decides."""
    return topic.audience == "public"


def public_topics() -> list[str]:
    """Names of the topics a platform may be granted, in registry order."""
    return [topic.name for topic in topics() if is_public(topic)]


def acl_rules(services: Iterable[ServiceAccess] = SERVICES,
              platforms: Iterable[PlatformGrant] = (), *, create_topics: bool = True) -> list[AclRule]:
    """Every allow rule for `services` and `platforms`; anything not allowed here is denied.

    `create_topics` lets services create missing registry topics at start-up, as they do on a
    fresh broker; where an operator creates topics (Strimzi KafkaTopic), turn it off.
    """
    services, platforms = list(services), list(platforms)
    _check_names([service.name for service in services] + [platform.name for platform in platforms])
    rules: list[AclRule] = []
    for service in services:
        rules += service_rules(service, create_topics=create_topics)
    for platform in platforms:
        rules += platform_rules(platform)
    return rules


def _check_names(names: list[str]) -> None:
    # Group prefixes are `<name>.`: two principals with one name would share their groups.
    seen: set[str] = set()
    for name in names:
        if not _NAME.match(name):
            raise AccessError(f"principal name {name!r} must match {_NAME.pattern}")
        if name in seen:
            raise AccessError(f"principal {name!r} is declared twice")
        seen.add(name)


def service_rules(service: ServiceAccess, *, create_topics: bool = True) -> list[AclRule]:
    """A service writes its own topics and the dead letters of what it reads, reads what it consumes."""
    user = f"User:{service.name}"
    writes = _topics_of(service.publishes, service.name)
    reads = _topics_of(service.consumes, service.name)
    rules = [AclRule(user, "topic", name, "literal", ("Write",)) for name in writes]
    rules += [AclRule(user, "topic", name, "literal", ("Read",)) for name in reads]
    rules += [AclRule(user, "topic", dead_letter_topic(name), "literal", ("Write",)) for name in reads]
    known = {topic.name for topic in topics()}
    for name in service.watches:
        if name not in known:
            raise AccessError(f"{service.name}: {name!r} is not a topic of the registry")
        rules.append(AclRule(user, "topic", name, "literal", ("Read",)))
    # Start-up checks every registry topic exists with enough replicas (oneteam_eventbus.admin):
    # existence and configuration only, never a record.
    every = [name for topic in topics() for name in (topic.name, dead_letter_topic(topic.name))]
    setup: tuple[Operation, ...] = ("Describe", "DescribeConfigs", "Create") if create_topics \
        else ("Describe", "DescribeConfigs")
    rules += [AclRule(user, "topic", name, "literal", setup) for name in every]
    rules.append(AclRule(user, "group", service.group_prefix, "prefix", ("Read",)))
    # The admin client's start-up call (describe_cluster) needs nothing more; the cluster
    # resource stays closed.
    return rules


def platform_rules(platform: PlatformGrant) -> list[AclRule]:
    """A platform reads the public topics it was granted, with its own groups; it writes nothing
    unless it submits reports, and then only `report.submitted`'s topic."""
    user = f"User:{platform.name}"
    public = set(public_topics())
    known = {topic.name for topic in topics()}
    for name in platform.topics:
        if name not in known:
            raise AccessError(f"platform {platform.name}: {name!r} is not a topic of the registry")
        if name not in public:
            raise AccessError(f"platform {platform.name}: {name!r} is internal; only {sorted(public)} "
                              "may be granted")
    rules = [AclRule(user, "topic", name, "literal", ("Read",)) for name in dict.fromkeys(platform.topics)]
    if platform.submits_reports:
        rules.append(AclRule(user, "topic", spec_for("report.submitted").topic.name, "literal", ("Write",)))
    rules.append(AclRule(user, "group", platform.group_prefix, "prefix", ("Read",)))
    return rules


def platform_grants(data: Mapping[str, Any]) -> list[PlatformGrant]:
    """Platforms from their configuration (`{"platforms": {name: {"topics": [...], ...}}}`)."""
    platforms = data.get("platforms") or {}
    if not isinstance(platforms, Mapping):
        raise AccessError("'platforms' must be a mapping of platform name to its grant")
    grants: list[PlatformGrant] = []
    for name, entry in platforms.items():
        entry = entry or {}
        granted = entry.get("topics") or []
        if not isinstance(granted, list) or not all(isinstance(t, str) for t in granted):
            raise AccessError(f"platform {name}: 'topics' must be a list of topic names")
        grants.append(PlatformGrant(str(name), tuple(granted), bool(entry.get("submits_reports", False)),
                                    str(entry.get("description", ""))))
    return grants


# For the AsyncAPI document: how a subscriber signs in and names its consumer groups.
ASYNCAPI_SERVERS: dict[str, Any] = {
    "production": {
        "url": "{bootstrap}",
        "protocol": "kafka-secure",
        "protocolVersion": "4.x",
        "description": "Apache Kafka over TLS (SASL_SSL). Sign in with SASL/SCRAM-SHA-512 as your platform's "
                       "user; trust the CA certificate given with your credentials.",
        "variables": {"bootstrap": {"description": "bootstrap servers, given with your credentials",
                                    "default": "kafka.oneteam.example:9093"}},
        "security": [{"scramSha512": []}],
    },
}
ASYNCAPI_SECURITY_SCHEMES: dict[str, Any] = {
    "scramSha512": {
        "type": "scramSha512",
        "description": "One user per platform and per service. A platform reads only the public topics it "
                       "was granted, with consumer groups named `<user>.<anything>`; it writes nothing, and "
                       "internal and dead-letter topics are refused.",
    },
}
ASYNCAPI_GROUP_ID: dict[str, Any] = {
    "type": "string",
    "pattern": "^[a-z][a-z0-9_-]{1,62}[.].+$",
    "description": "Your user name, a dot, then any name: e.g. district-event-centre.incidents.",
}


def service_access(name: str) -> ServiceAccess:
    """The declared access of one service."""
    for service in SERVICES:
        if service.name == name:
            return service
    raise AccessError(f"no service named {name!r}")


def _topics_of(message_types: Iterable[str], who: str) -> list[str]:
    names: dict[str, None] = {}
    for message_type in message_types:
        try:
            names[spec_for(message_type).topic.name] = None
        except Exception as error:
            raise AccessError(f"{who}: {error}") from error
    return list(names)
