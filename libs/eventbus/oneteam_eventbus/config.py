"""How to reach the broker."""

from dataclasses import dataclass


@dataclass(frozen=True)
class KafkaConfig:
    """Broker connection settings shared by producers, consumers and the admin client.

    `idempotence` is on for Apache Kafka; the embedded Tansu broker refuses InitProducerId,
    so development turns it off and effect-once rests on the outbox and the inbox instead.
    """

    bootstrap_servers: str
    client_id: str = "oneteam"
    idempotence: bool = True
    replication_factor: int = 1
