"""Embedded infrastructure for development and tests: PostgreSQL and a Kafka-protocol broker.

Everything here installs with pip and runs without root or Docker; production points the
services at real PostgreSQL and Apache Kafka through environment variables instead.
"""

from oneteam_devstack.broker import EmbeddedBroker
from oneteam_devstack.ports import free_port, wait_for_port
from oneteam_devstack.postgres import EmbeddedPostgres

__all__ = ["EmbeddedBroker", "EmbeddedPostgres", "free_port", "wait_for_port"]
