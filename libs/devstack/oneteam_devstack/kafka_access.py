"""Principals and ACLs on a local Apache Kafka, from `oneteam_contracts.access` (deploy/kafka/kafka.sh).

    python -m oneteam_devstack.kafka_access scram-args --credentials run/credentials.json \\
        --platforms deploy/kafka/platforms.yaml      # new passwords; args for `kafka-storage format`
    python -m oneteam_devstack.kafka_access apply --bootstrap 127.0.0.1:9092 \\
        --credentials run/credentials.json --platforms deploy/kafka/platforms.yaml

`scram-args` draws a password per principal (the admin, every service, every platform),
keeps them in the credentials file (mode 600) and prints `--add-scram` arguments, so the
users exist from the broker's first start. `apply` signs in as the admin (a super user) and
creates the allow rules of `acl_rules`; everything else is denied by the authorizer.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

# Public names of confluent_kafka.admin (its documentation's), re-exported without `__all__`.
from confluent_kafka.admin import (  # type: ignore[attr-defined]
    AclBinding,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ResourcePatternType,
    ResourceType,
)

from oneteam_contracts.access import SERVICES, AclRule, PlatformGrant, acl_rules, platform_grants

ADMIN = "admin"
MECHANISM = "SCRAM-SHA-512"

_RESOURCES = {"topic": ResourceType.TOPIC, "group": ResourceType.GROUP, "cluster": ResourceType.BROKER}
_PATTERNS = {"literal": ResourcePatternType.LITERAL, "prefix": ResourcePatternType.PREFIXED}
_OPERATIONS = {"Read": AclOperation.READ, "Write": AclOperation.WRITE, "Create": AclOperation.CREATE,
               "Describe": AclOperation.DESCRIBE, "DescribeConfigs": AclOperation.DESCRIBE_CONFIGS}


def load_platforms(path: Path | None) -> list[PlatformGrant]:
    """The subscribing platforms of a YAML file (none without a file)."""
    if path is None:
        return []
    return platform_grants(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


def principals(platforms: Iterable[PlatformGrant]) -> list[str]:
    """Every SCRAM user: the admin, the services, the platforms."""
    return [ADMIN, *(service.name for service in SERVICES), *(platform.name for platform in platforms)]


def new_credentials(names: Iterable[str]) -> dict[str, str]:
    """A fresh random password per principal (URL-safe, so it fits `--add-scram` unquoted)."""
    return {name: secrets.token_urlsafe(24) for name in names}


def scram_args(credentials: dict[str, str]) -> list[str]:
    """`kafka-storage format` arguments that create every user at format time."""
    args: list[str] = []
    for name, password in credentials.items():
        args += ["--add-scram", f"{MECHANISM}=[name={name},password={password}]"]
    return args


def bindings(rules: Iterable[AclRule]) -> list[AclBinding]:
    """The rules as confluent-kafka ACL bindings, one per operation."""
    return [AclBinding(_RESOURCES[rule.resource_type],
                       "kafka-cluster" if rule.resource_type == "cluster" else rule.resource_name,
                       _PATTERNS[rule.pattern], rule.principal, "*", _OPERATIONS[operation],
                       AclPermissionType.ALLOW)
            for rule in rules for operation in rule.operations]


def admin_client(bootstrap: str, password: str, *, protocol: str = "SASL_PLAINTEXT",
                 cafile: str | None = None) -> AdminClient:
    """An admin client signed in as the super user."""
    config: dict[str, Any] = {"bootstrap.servers": bootstrap, "security.protocol": protocol,
                              "sasl.mechanism": MECHANISM, "sasl.username": ADMIN, "sasl.password": password}
    if cafile:
        config["ssl.ca.location"] = cafile
    return AdminClient(config)


def apply(bootstrap: str, credentials: dict[str, str], platforms: list[PlatformGrant]) -> int:
    """Create every allow rule on the cluster; returns how many bindings were created."""
    wanted = bindings(acl_rules(SERVICES, platforms))
    admin = admin_client(bootstrap, credentials[ADMIN])  # kept: the futures die with their client
    for future in admin.create_acls(wanted, request_timeout=30).values():
        future.result()
    return len(wanted)


def main(argv: list[str] | None = None) -> None:
    """Command line entry (used by deploy/kafka/kafka.sh start --secure)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("command", choices=["scram-args", "apply"])
    parser.add_argument("--credentials", type=Path, required=True, help="JSON file: principal -> password")
    parser.add_argument("--platforms", type=Path, help="YAML file of subscribing platforms and their topics")
    parser.add_argument("--bootstrap", help="SASL_PLAINTEXT bootstrap servers (apply)")
    args = parser.parse_args(argv)
    platforms = load_platforms(args.platforms)
    if args.command == "scram-args":
        acl_rules(SERVICES, platforms)  # refuse a bad platform file before the broker is formatted
        credentials = new_credentials(principals(platforms))
        args.credentials.touch(mode=0o600)
        args.credentials.write_text(json.dumps(credentials, indent=1), encoding="utf-8")
        os.chmod(args.credentials, 0o600)
        print("\n".join(scram_args(credentials)))
        return
    if not args.bootstrap:
        parser.error("apply needs --bootstrap")
    created = apply(args.bootstrap, json.loads(args.credentials.read_text(encoding="utf-8")), platforms)
    print(f"{created} ACL bindings for {len(principals(platforms)) - 1} principals", file=sys.stderr)


if __name__ == "__main__":
    main()
