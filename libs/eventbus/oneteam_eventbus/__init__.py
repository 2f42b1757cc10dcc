"""OneTeam's event bus over Kafka: outbox, relay, inbox consumer, dead letters, topic set-up."""

from oneteam_eventbus.admin import ensure_topics
from oneteam_eventbus.config import KafkaConfig
from oneteam_eventbus.consumer import EventConsumer, Handler, in_runs
from oneteam_eventbus.context import correlation_id, correlation_scope
from oneteam_eventbus.outbox import OutboxRelay, add_event, emit
from oneteam_eventbus.producer import EventProducer
from oneteam_eventbus.tables import bus_metadata, inbox, outbox

__all__ = [
    "EventConsumer",
    "EventProducer",
    "Handler",
    "KafkaConfig",
    "OutboxRelay",
    "add_event",
    "bus_metadata",
    "correlation_id",
    "correlation_scope",
    "emit",
    "ensure_topics",
    "in_runs",
    "inbox",
    "outbox",
]
