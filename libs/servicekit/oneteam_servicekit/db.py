"""SQLAlchemy 2.0 async engine and sessions."""

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = 20,
                pool_timeout: float = 10) -> AsyncEngine:
    """An engine whose pool notices connections that died with a database restart.

    Statement values never reach an error message or the SQL log: they hold reporters' names
    and phones. A request waits `pool_timeout` s for a connection, then gets a 503.
    """
    return create_async_engine(url, pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True,
                               pool_timeout=pool_timeout, hide_parameters=True)


def make_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Session factory; objects stay readable after commit so handlers can build responses."""
    return async_sessionmaker(engine, expire_on_commit=False)
