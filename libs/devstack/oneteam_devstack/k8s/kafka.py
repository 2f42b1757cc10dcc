"""Strimzi KafkaTopic and KafkaUser resources, from the topic registry and its ACL rules.

Nothing here is typed by hand: partitions, retention and cleanup policy come from
`oneteam_contracts.topics()`, the ACLs from `oneteam_contracts.access.acl_rules`, the very
rules `deploy/kafka` applies to the Apache Kafka of CI.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from oneteam_contracts import dead_letter_topic, topics
from oneteam_contracts.access import SERVICES, AclRule, PlatformGrant, acl_rules
from oneteam_devstack.k8s.workloads import KAFKA_CLUSTER, Manifest

STRIMZI_API = "kafka.strimzi.io/v1beta2"
REPLICAS = 3
MIN_INSYNC = 2  # with 3 replicas: one broker may be down and writes still succeed


def _topic(name: str, partitions: int, config: dict[str, str], description: str) -> Manifest:
    return {
        "apiVersion": STRIMZI_API, "kind": "KafkaTopic",
        "metadata": {"name": name, "labels": {"strimzi.io/cluster": KAFKA_CLUSTER},
                     "annotations": {"oneteam/description": description}},
        "spec": {"topicName": name, "partitions": partitions, "replicas": REPLICAS,
                 "config": {**config, "min.insync.replicas": str(MIN_INSYNC)}},
    }


def kafka_topics() -> list[Manifest]:
    """Every registry topic and its dead-letter topic, as oneteam_eventbus.admin creates them."""
    manifests = []
    for spec in topics():
        manifests.append(_topic(spec.name, spec.partitions, spec.retention.topic_config(), spec.description))
        manifests.append(_topic(dead_letter_topic(spec.name), spec.partitions, {"cleanup.policy": "delete"},
                                f"Records a consumer of {spec.name} could not handle."))
    return manifests


def _user(principal: str, rules: list[AclRule], description: str) -> Manifest:
    return {
        "apiVersion": STRIMZI_API, "kind": "KafkaUser",
        "metadata": {"name": principal.replace("_", "-"), "labels": {"strimzi.io/cluster": KAFKA_CLUSTER},
                     "annotations": {"oneteam/description": description}},
        "spec": {"authentication": {"type": "scram-sha-512"},
                 "authorization": {"type": "simple", "acls": [rule.strimzi() for rule in rules]}},
    }


def kafka_users(platforms: Iterable[PlatformGrant] = ()) -> list[Manifest]:
    """One KafkaUser per service and per subscribing platform, each with its own ACLs.

    Topics are Strimzi's to create (KafkaTopic), so services get no Create right.
    """
    platforms = list(platforms)
    by_principal: dict[str, list[AclRule]] = defaultdict(list)
    for rule in acl_rules(SERVICES, platforms, create_topics=False):
        by_principal[rule.principal.removeprefix("User:")].append(rule)
    manifests = [_user(s.name, by_principal[s.name], f"service {s.name}") for s in SERVICES]
    manifests += [_user(p.name, by_principal[p.name], p.description or f"platform {p.name}") for p in platforms]
    return manifests
