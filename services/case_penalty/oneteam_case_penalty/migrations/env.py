"""Alembic environment of case-penalty: the shared async runner."""

from oneteam_servicekit.migrations import run_env

run_env()
