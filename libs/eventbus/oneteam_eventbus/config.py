"""How to reach the broker."""

from dataclasses import dataclass


@dataclass(frozen=True)
class KafkaConfig:
    """Broker connection settings shared by producers, consumers and the admin client.

    `idempotence` is on for Apache Kafka; the embedded Tansu broker refuses InitProducerId,
    so development turns it off and effect-once rests on the outbox and the inbox instead.
    `replication_factor` and `min_insync_replicas` left at None follow the cluster: three
    replicas (two in sync) where three brokers exist, else as many as there are.
    `group_instance_id` names this replica for static group membership; it must be unique
    per replica and stable across its restarts (a StatefulSet pod name, say).
    """

    bootstrap_servers: str
    client_id: str = "oneteam"
    idempotence: bool = True
    replication_factor: int | None = None
    min_insync_replicas: int | None = None
    strict_replication: bool = False
    group_instance_id: str | None = None
    session_timeout_ms: int = 10000
