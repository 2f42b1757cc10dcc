"""Replicas that start together migrate their database once, without failing each other."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from oneteam_devstack.testing import Infra
from oneteam_servicekit import migrations

pytestmark = pytest.mark.integration

FIRST_REVISION = '''
from sqlalchemy import Column, Integer, MetaData, Table
from oneteam_servicekit.migrations import create_first, drop_first

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None
tables = MetaData()
Table("things", tables, Column("id", Integer, primary_key=True))


def upgrade() -> None:
    create_first(tables)


def downgrade() -> None:
    drop_first(tables)
'''


@pytest.fixture
def migrations_dir(tmp_path: Path) -> Path:
    """A service's migrations folder with a first revision, as every service has one."""
    (tmp_path / "versions").mkdir()
    (tmp_path / "env.py").write_text("from oneteam_servicekit.migrations import run_env\n\nrun_env()\n")
    (tmp_path / "versions" / "0001_initial.py").write_text(FIRST_REVISION)
    return tmp_path


async def test_four_replicas_starting_at_once_on_an_empty_database_all_come_up(
    infra: Infra, migrations_dir: Path,
) -> None:
    url = infra.fresh_database("migrate")

    await asyncio.gather(*(migrations.upgrade(migrations_dir, url) for _ in range(4)))

    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars().all() == ["0001"]
            assert await conn.scalar(text("SELECT count(*) FROM outbox")) == 0
    finally:
        await engine.dispose()
