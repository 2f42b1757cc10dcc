"""Alembic, run per service: at start-up, or by `python -m <service>.main migrate`.

Each service keeps its revisions in `<package>/migrations/`; its `env.py` is two lines that
call `run_env`, so the async plumbing below exists once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import Connection, MetaData, text
from sqlalchemy.ext.asyncio import create_async_engine

from oneteam_eventbus import bus_metadata
from oneteam_servicekit.idempotency import kit_metadata, upgrade_schema


def alembic_config(migrations_dir: Path, database_url: str) -> Config:
    """An Alembic config pointing at one service's revisions and database."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


async def upgrade(migrations_dir: Path, database_url: str) -> None:
    """Bring the database to the newest revision, then the kit's own tables to the kit's version.

    Replicas starting together take turns: the first migrates, the others then find the
    database at head (two concurrent CREATE TABLEs would make one replica fail its start).
    """
    config = alembic_config(migrations_dir, database_url)
    engine = create_async_engine(database_url, hide_parameters=True)
    try:
        async with engine.connect() as turn:
            await turn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": _MIGRATION_LOCK})
            try:
                # Alembic's command API is synchronous and env.py starts its own loop: a thread.
                await asyncio.to_thread(command.upgrade, config, "head")
                # The kit's tables are created by each service's first revision; how they change
                # since is the kit's business, applied here (idempotently), needing no revision.
                async with engine.begin() as connection:
                    await upgrade_schema(connection)
            finally:
                await turn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": _MIGRATION_LOCK})
    finally:
        await engine.dispose()


# A fixed advisory lock id for "migrating"; locks are per database, so services never meet.
_MIGRATION_LOCK = 0x6F6E657465616D  # "oneteam"


def create_first(*service_tables: MetaData) -> None:
    """Body of every service's first revision: the bus's and the kit's tables, then the service's.

    The first revision creates tables straight from their (frozen) definitions; later
    revisions spell out each change with op.* so history stays replayable.
    """
    bind = context.get_bind()
    for tables in (bus_metadata, kit_metadata, *service_tables):
        tables.create_all(bind)


def drop_first(*service_tables: MetaData) -> None:
    """Undo `create_first`, the service's tables first."""
    bind = context.get_bind()
    for tables in reversed((bus_metadata, kit_metadata, *service_tables)):
        tables.drop_all(bind)


def run_env(target_metadata: MetaData | None = None) -> None:
    """Body of every service's `env.py`: run the revisions online over an async engine."""
    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None, "sqlalchemy.url is set by alembic_config"

    def run(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(url, hide_parameters=True)
        try:
            async with engine.connect() as connection:
                await connection.run_sync(run)
                await connection.commit()
        finally:
            await engine.dispose()

    asyncio.run(main())
