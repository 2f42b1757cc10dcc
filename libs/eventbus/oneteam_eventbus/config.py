"""How to reach the broker, and who to be on it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiokafka.helpers import create_ssl_context

SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")


@dataclass(frozen=True)
class KafkaConfig:
    """Broker connection settings shared by producers, consumers and the admin client.

    `idempotence` is on for Apache Kafka; the embedded Tansu broker refuses InitProducerId,
    so development turns it off and effect-once rests on the outbox and the inbox instead.
    `replication_factor` and `min_insync_replicas` left at None follow the cluster: three
    replicas (two in sync) where three brokers exist, else as many as there are.
    `group_instance_id` names this replica for static group membership; it must be unique
    per replica and stable across its restarts (a StatefulSet pod name, say).
    The security fields name this service's principal on a secured broker (SASL/SCRAM, over
    TLS with `SASL_SSL`); `ssl_cafile` is the CA that signed the brokers' certificates,
    else the system's CAs are trusted.
    """

    bootstrap_servers: str
    client_id: str = "oneteam"
    idempotence: bool = True
    replication_factor: int | None = None
    min_insync_replicas: int | None = None
    strict_replication: bool = False
    group_instance_id: str | None = None
    session_timeout_ms: int = 10000
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    ssl_cafile: str | None = None

    def __post_init__(self) -> None:
        if self.security_protocol not in SECURITY_PROTOCOLS:
            raise ValueError(f"KAFKA_SECURITY_PROTOCOL {self.security_protocol!r} is not one of "
                             f"{', '.join(SECURITY_PROTOCOLS)}")
        if self.security_protocol.startswith("SASL_"):
            if self.sasl_mechanism not in SASL_MECHANISMS:
                raise ValueError(f"KAFKA_SASL_MECHANISM {self.sasl_mechanism!r} is not one of "
                                 f"{', '.join(SASL_MECHANISMS)} (needed by {self.security_protocol})")
            if not self.sasl_username or not self.sasl_password:
                raise ValueError(f"{self.security_protocol} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD")
        if self.ssl_cafile and not os.path.isfile(self.ssl_cafile):
            raise ValueError(f"KAFKA_SSL_CAFILE {self.ssl_cafile!r} is not a readable file")

    def security(self) -> dict[str, Any]:
        """Keyword arguments for any aiokafka client (producer, consumer, admin) to sign in."""
        kwargs: dict[str, Any] = {"security_protocol": self.security_protocol}
        if self.security_protocol in ("SSL", "SASL_SSL"):
            kwargs["ssl_context"] = create_ssl_context(cafile=self.ssl_cafile)
        if self.security_protocol.startswith("SASL_"):
            kwargs.update(sasl_mechanism=self.sasl_mechanism, sasl_plain_username=self.sasl_username,
                          sasl_plain_password=self.sasl_password)
        return kwargs


def security_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The security fields of KafkaConfig from KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM,
    KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD and KAFKA_SSL_CAFILE (for command-line tools;
    services read the same variables through their settings)."""
    env = os.environ if environ is None else environ
    return {
        "security_protocol": env.get("KAFKA_SECURITY_PROTOCOL") or "PLAINTEXT",
        "sasl_mechanism": env.get("KAFKA_SASL_MECHANISM") or "SCRAM-SHA-512",
        "sasl_username": env.get("KAFKA_SASL_USERNAME") or None,
        "sasl_password": env.get("KAFKA_SASL_PASSWORD") or None,
        "ssl_cafile": env.get("KAFKA_SSL_CAFILE") or None,
    }
