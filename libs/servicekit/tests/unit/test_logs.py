"""No log line carries a statement's values: the engine hides them and the formatters cut what drivers copy."""

from __future__ import annotations

import logging
import sys

from oneteam_servicekit.db import make_engine
from oneteam_servicekit.logs import JsonFormatter, TextFormatter, configure_logging, redact

NAME, PHONE = "张三丰", "13800001111"


def _record(message: str, error: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(error), error, error.__traceback__) if error else None
    return logging.LogRecord("t", logging.ERROR, __file__, 1, message, None, exc_info)


def test_engine_keeps_statement_parameters_out_of_errors_and_sql_logs() -> None:
    engine = make_engine("postgresql+asyncpg://u@127.0.0.1:1/db")

    assert engine.sync_engine.hide_parameters


def test_driver_messages_lose_the_values_they_quote() -> None:
    messages = [
        f"invalid input for query argument $3: '{NAME}\\x00' (invalid byte sequence)",
        f'duplicate key value violates unique constraint "c"\nDETAIL:  Key (phone)=({PHONE}) already exists.',
        f"null value in column \"x\" violates not-null constraint\nDETAIL:  Failing row contains ({NAME}, {PHONE}).",
        f"[SQL: INSERT INTO contacts VALUES ($1, $2)]\n[parameters: ('{NAME}', '{PHONE}')]",
        f"GET /v1/reports/1?token=secret-{PHONE} 200",
    ]

    for message in messages:
        cleaned = redact(message)
        assert NAME not in cleaned and PHONE not in cleaned, cleaned


def test_both_formatters_redact_message_and_traceback() -> None:
    try:
        raise ValueError(f"invalid input for query argument $1: '{PHONE}' (expected str)")
    except ValueError as error:
        record = _record(f"failed: Key (name)=({NAME})", error)
        record.exc_info = sys.exc_info()

    for formatter in (JsonFormatter("t"), TextFormatter()):
        line = formatter.format(record)
        assert NAME not in line and PHONE not in line, line
        assert "query argument $1" in line


def test_uvicorns_access_log_stays_off_when_it_was_switched_off_and_goes_through_ours_otherwise() -> None:
    access = logging.getLogger("uvicorn.access")
    saved = (list(access.handlers), access.propagate, list(logging.getLogger().handlers), logging.getLogger().level)
    try:
        access.handlers[:], access.propagate = [], False  # as `uvicorn --no-access-log` leaves it
        configure_logging("test", "INFO", as_json=True)
        assert not access.propagate and not access.handlers

        access.handlers[:], access.propagate = [logging.StreamHandler(sys.stderr)], False  # uvicorn's own
        configure_logging("test", "INFO", as_json=True)
        assert access.propagate and not access.handlers
    finally:
        access.handlers[:], access.propagate = saved[0], saved[1]
        logging.getLogger().handlers[:] = saved[2]
        logging.getLogger().setLevel(saved[3])
