"""Alembic environment of dispatch: the shared async runner."""

from oneteam_servicekit.migrations import run_env

run_env()
