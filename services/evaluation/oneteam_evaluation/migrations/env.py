"""Alembic environment of evaluation: the shared async runner."""

from oneteam_servicekit.migrations import run_env

run_env()
