"""Prometheus metrics of the event bus; one set per process, labelled by service."""

from prometheus_client import Counter, Gauge, Histogram

EVENTS_PUBLISHED = Counter(
    "oneteam_events_published_total", "Events published from the outbox", ["service", "topic"]
)
OUTBOX_BACKLOG = Gauge(
    "oneteam_outbox_backlog", "Outbox rows not yet published", ["service"]
)
EVENTS_HANDLED = Counter(
    "oneteam_events_handled_total", "Events consumed, by outcome", ["service", "group", "type", "outcome"]
)
HANDLER_ERRORS = Counter(
    "oneteam_handler_errors_total", "Failed handler attempts", ["service", "group", "type"]
)
DEAD_LETTERS = Counter(
    "oneteam_dead_letters_total", "Messages sent to a dead-letter topic", ["service", "group", "topic"]
)
CONSUMER_LAG = Gauge(
    "oneteam_consumer_lag", "Messages behind the partition's high watermark",
    ["service", "group", "topic", "partition"],
)
HANDLE_SECONDS = Histogram(
    "oneteam_event_handle_seconds", "Time to handle one event, database commit included",
    ["service", "group", "type"],
)
STALLS = Counter(
    "oneteam_consumer_stalls_total", "Partitions paused because a dependency was down", ["service", "group", "topic"]
)
