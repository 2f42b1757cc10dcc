"""A secured Apache Kafka of the security tests' own: SASL/SCRAM, TLS, authorizer, generated ACLs."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from oneteam_eventbus import KafkaConfig

KAFKA_SH = Path(__file__).resolve().parents[2] / "deploy" / "kafka" / "kafka.sh"


@dataclass(frozen=True)
class SecuredKafka:
    """A running broker started by `kafka.sh start --secure` and its principals' passwords."""

    bootstrap: str
    tls_bootstrap: str
    cafile: str
    passwords: dict[str, str]

    def config(self, user: str, *, tls: bool = False, password: str | None = None) -> KafkaConfig:
        """How `user` reaches the broker: SCRAM-SHA-512, over TLS when asked."""
        return KafkaConfig(
            self.tls_bootstrap if tls else self.bootstrap, client_id=f"security-test-{user}",
            security_protocol="SASL_SSL" if tls else "SASL_PLAINTEXT", sasl_mechanism="SCRAM-SHA-512",
            sasl_username=user, sasl_password=password or self.passwords[user],
            ssl_cafile=self.cafile if tls else None,
        )

    def env(self, user: str) -> dict[str, str]:
        """The environment a service or tool is given to sign in as `user`."""
        return {"KAFKA_BOOTSTRAP_SERVERS": self.bootstrap, "KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
                "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512", "KAFKA_SASL_USERNAME": user,
                "KAFKA_SASL_PASSWORD": self.passwords[user]}


@pytest.fixture(scope="session")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecuredKafka]:
    run = tmp_path_factory.mktemp("kafka-secure")
    env = {**os.environ, "KAFKA_RUN_DIR": str(run), "KAFKA_HEAP_OPTS": "-Xms128m -Xmx384m"}
    started = subprocess.run([str(KAFKA_SH), "start", "--secure"], env=env, capture_output=True, text=True)
    if started.returncode != 0:
        pytest.fail(f"kafka.sh start --secure failed:\n{started.stderr[-3000:]}")
    try:
        yield SecuredKafka(
            bootstrap=started.stdout.strip().splitlines()[-1],
            tls_bootstrap=(run / "bootstrap-tls").read_text().strip(),
            cafile=str(run / "tls" / "ca.pem"),
            passwords=json.loads((run / "credentials.json").read_text()),
        )
    finally:
        subprocess.run([str(KAFKA_SH), "stop"], env=env, check=False, capture_output=True)
