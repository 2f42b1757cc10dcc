"""Alembic environment of mediation: the shared async runner."""

from oneteam_servicekit.migrations import run_env

run_env()
