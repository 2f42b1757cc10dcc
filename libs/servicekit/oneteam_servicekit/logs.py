"""JSON log lines that carry the correlation id of the request or event in hand, and no personal data."""

import json
import logging
import re
import sys
from datetime import UTC, datetime

from oneteam_eventbus import correlation_id

# What database drivers copy from a statement's values into their messages: SQLAlchemy's
# parameter list (also hidden at the engine), asyncpg's "invalid input for query argument $3:
# '张三'", PostgreSQL's "Key (phone)=(138…)" and "Failing row contains (…)"; and the status token
# in a logged URL. Each is cut to its label.
_REDACTIONS = (
    (re.compile(r"\[parameters: .*?\]\n?", re.S), "[parameters hidden]"),
    (re.compile(r"(query argument \$\d+): .*?(\s+\((?:expected|invalid)|$)", re.M), r"\1: <redacted>\2"),
    (re.compile(r"(Key \([^)]*\))=\(.*?\)( already exists| is not present| conflicts)?", re.M), r"\1=(<redacted>)\2"),
    (re.compile(r"(Failing row contains) \(.*\)", re.M), r"\1 (<redacted>)"),
    (re.compile(r"(token=)[^&\s\"']+"), r"\1<redacted>"),
)


def redact(text: str) -> str:
    """`text` with statement values and tokens removed."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, service, correlation_id."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "service": self._service,
            "correlation_id": correlation_id.get(),
        }
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Plain lines for people reading a terminal; redacted like the JSON ones."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(service: str, level: str = "INFO", as_json: bool = True) -> None:
    """Send every logger to stderr, as JSON unless `as_json` is off."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service) if as_json else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn set up its own handlers before loading the app; route them through ours. Its
    # `--no-access-log` leaves the access logger without handlers and not propagating: kept so,
    # or every request was logged anyway (3 % of dispatch's CPU at 400 position posts a second).
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        switched_off = name == "uvicorn.access" and not logger.handlers and not logger.propagate
        logger.handlers[:] = []
        logger.propagate = not switched_off
    # aiokafka logs every reconnect attempt at INFO/WARNING; keep its errors only.
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
