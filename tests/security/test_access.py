"""The ACLs generated from the topic registry: least privilege, kept in step with the services' code."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from oneteam_contracts import MESSAGES, topics
from oneteam_contracts.access import (
    ASYNCAPI_GROUP_ID,
    SERVICES,
    AccessError,
    AclRule,
    PlatformGrant,
    ServiceAccess,
    acl_rules,
    platform_grants,
    public_topics,
    service_access,
)
from oneteam_eventbus import KafkaConfig
from oneteam_servicekit import Subscription

ROOT = Path(__file__).resolve().parents[2]
PLATFORMS_FILE = ROOT / "deploy" / "kafka" / "platforms.yaml"
ASYNCAPI_FILE = ROOT / "contracts" / "asyncapi.json"
CENTRE = PlatformGrant("district-event-centre", ("oneteam.incidents", "oneteam.cases"))


def _service_subscriptions() -> dict[str, list[Subscription]]:
    """Each service's consumer groups as its own code builds them (handlers are only bound here)."""
    from oneteam_case_penalty.handlers import subscriptions as case_penalty
    from oneteam_dispatch.handlers import SUBSCRIPTIONS as dispatch
    from oneteam_evaluation.handlers import subscriptions as evaluation
    from oneteam_intake.handlers import subscriptions as intake
    from oneteam_mediation.handlers import subscriptions as mediation

    stand_in: Any = SimpleNamespace(settings=SimpleNamespace(consumer_group_suffix=""))
    return {"intake": intake(stand_in), "dispatch": dispatch, "case_penalty": case_penalty(stand_in),
            "mediation": mediation(stand_in), "evaluation": evaluation(1)}


def _allowed(rules: list[AclRule], principal: str, operation: str) -> set[str]:
    return {rule.resource_name for rule in rules
            if rule.principal == f"User:{principal}" and rule.resource_type == "topic" and operation in rule.operations}


def test_every_consumed_message_type_is_declared_for_its_service() -> None:
    for service, subscriptions in _service_subscriptions().items():
        handled = {message_type for subscription in subscriptions for message_type in subscription.handlers}
        assert handled == set(service_access(service).consumes), service


def test_every_consumer_group_starts_with_its_services_prefix() -> None:
    for service, subscriptions in _service_subscriptions().items():
        for subscription in subscriptions:
            assert subscription.group.startswith(service_access(service).group_prefix), subscription.group


def test_every_registered_message_type_has_a_publisher() -> None:
    # report.submitted is written by other platforms, never by a service.
    published = {message_type for service in SERVICES for message_type in service.publishes}
    assert published | {"report.submitted"} == set(MESSAGES)


def test_a_service_writes_its_own_topics_and_its_dead_letters_only() -> None:
    rules = acl_rules()
    assert _allowed(rules, "mediation", "Write") == {"oneteam.mediations", "oneteam.handoffs", "oneteam.handoffs.dlq"}
    assert _allowed(rules, "case_penalty", "Read") == {"oneteam.handoffs", "oneteam.mediations"}
    assert "oneteam.assignments" not in _allowed(rules, "intake", "Write")


def test_operators_can_withhold_topic_creation_from_services() -> None:
    assert not any("Create" in rule.operations for rule in acl_rules(create_topics=False))
    assert any("Create" in rule.operations for rule in acl_rules())


def test_a_platform_reads_only_what_it_was_granted_and_writes_nothing() -> None:
    rules = acl_rules([], [CENTRE])
    assert _allowed(rules, CENTRE.name, "Read") == {"oneteam.incidents", "oneteam.cases"}
    assert not any(set(rule.operations) - {"Read"} for rule in rules)
    groups = [rule for rule in rules if rule.resource_type == "group"]
    assert [(g.resource_name, g.pattern) for g in groups] == [("district-event-centre.", "prefix")]


def test_a_platform_that_submits_reports_may_write_inbound_reports_only() -> None:
    rules = acl_rules([], [PlatformGrant("governance-platform", ("oneteam.incidents",), submits_reports=True)])
    assert _allowed(rules, "governance-platform", "Write") == {"oneteam.inbound-reports"}


@pytest.mark.parametrize("topic", ["oneteam.handoffs", "oneteam.officer-positions", "oneteam.incidents.dlq",
                                   "oneteam.nothing"])
def test_granting_a_platform_an_internal_dead_letter_or_unknown_topic_is_refused(topic: str) -> None:
    with pytest.raises(AccessError, match=topic.replace(".", r"\.")):
        acl_rules([], [PlatformGrant("district-event-centre", (topic,))])


def test_public_topics_exclude_hand_offs_and_dead_letters() -> None:
    public = public_topics()
    assert public and set(public) <= {topic.name for topic in topics()}
    assert "oneteam.handoffs" not in public


def test_a_principal_name_used_twice_is_refused() -> None:
    with pytest.raises(AccessError, match="twice"):
        acl_rules(SERVICES, [PlatformGrant("intake", ("oneteam.incidents",))])
    with pytest.raises(AccessError, match="must match"):
        acl_rules([ServiceAccess("Bad Name")])


def test_a_service_declaring_an_unknown_message_type_is_refused() -> None:
    with pytest.raises(AccessError, match=r"no-such\.type"):
        acl_rules([ServiceAccess("intake", publishes=("no-such.type",))])


def test_the_platforms_file_names_only_public_topics() -> None:
    grants = platform_grants(yaml.safe_load(PLATFORMS_FILE.read_text(encoding="utf-8")))
    assert {grant.name for grant in grants} >= {"district-event-centre"}
    acl_rules(SERVICES, grants)  # raises on an internal topic


def test_rules_render_as_strimzi_kafkauser_acls() -> None:
    rule = AclRule("User:intake", "group", "intake.", "prefix", ("Read",))
    assert rule.strimzi() == {"resource": {"type": "group", "name": "intake.", "patternType": "prefix"},
                              "operations": ["Read"], "host": "*"}


def test_sasl_without_a_password_is_a_clear_configuration_error() -> None:
    with pytest.raises(ValueError, match="KAFKA_SASL_PASSWORD"):
        KafkaConfig("127.0.0.1:9092", security_protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-512",
                    sasl_username="intake")
    with pytest.raises(ValueError, match="KAFKA_SECURITY_PROTOCOL"):
        KafkaConfig("127.0.0.1:9092", security_protocol="SASL")


def test_the_password_stays_out_of_logs() -> None:
    config = KafkaConfig("127.0.0.1:9092", security_protocol="SASL_PLAINTEXT", sasl_mechanism="SCRAM-SHA-512",
                         sasl_username="intake", sasl_password="s3cret")
    assert "s3cret" not in repr(config)
    assert config.security()["sasl_plain_password"] == "s3cret"


def test_the_asyncapi_document_tells_subscribers_how_to_sign_in_and_name_groups() -> None:
    document = json.loads(ASYNCAPI_FILE.read_text(encoding="utf-8"))
    schemes = document["components"]["securitySchemes"]
    for server in document["servers"].values():
        assert server["protocol"] == "kafka-secure"
        assert all(name in schemes for requirement in server["security"] for name in requirement)
    assert {scheme["type"] for scheme in schemes.values()} == {"scramSha512"}
    pattern = re.compile(ASYNCAPI_GROUP_ID["pattern"])
    assert pattern.match("district-event-centre.incidents") and not pattern.match("dispatch")
    for channel in document["channels"].values():
        assert channel["subscribe"]["bindings"]["kafka"]["groupId"] == ASYNCAPI_GROUP_ID


def test_the_subscribers_guide_lists_exactly_the_public_topics() -> None:
    guide = (ROOT / "docs" / "subscribers.md").read_text(encoding="utf-8")
    table = guide.split("| public topic |", 1)[1].split("\n\n", 1)[0]
    listed = re.findall(r"^\| `([a-z.-]+)` \|", table, flags=re.MULTILINE)
    assert listed == public_topics()


def test_the_console_may_read_the_topics_its_doorbell_watches_and_write_none() -> None:
    from oneteam_console.wakeup import TOPICS

    rules = acl_rules()
    assert _allowed(rules, "console", "Read") == {topic.name for topic in TOPICS}
    assert _allowed(rules, "console", "Write") == set()


def test_a_service_reads_its_kafka_principal_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from oneteam_servicekit.settings import ServiceSettings

    for name, value in {"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
                        "KAFKA_SASL_USERNAME": "dispatch", "KAFKA_SASL_PASSWORD": "s3cret"}.items():
        monkeypatch.setenv(name, value)
    settings = ServiceSettings(service_name="dispatch")
    assert "s3cret" not in repr(settings)
    security = settings.kafka().security()
    assert (security["security_protocol"], security["sasl_plain_username"], security["sasl_plain_password"]) == (
        "SASL_SSL", "dispatch", "s3cret")
    assert security["ssl_context"] is not None  # the system's CAs, KAFKA_SSL_CAFILE unset
