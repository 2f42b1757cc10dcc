"""The container deployment, checked by reading the files: no Docker engine is needed.

`docker-compose.yml` runs PostgreSQL, a single-node Kafka in KRaft mode and every service that
has a `services/<name>/Dockerfile`. These tests keep the compose file, the Dockerfiles, the
`.dockerignore`, the init SQL and the services' own code in agreement; where a `docker compose`
client is installed it also validates the file (which needs no engine either). The Dockerfiles
are one text with each service's name; `DEPARTURES` lists, line by line, where one honestly
differs (the console: a node stage for its page, no database).
"""

from __future__ import annotations

import base64
import binascii
import difflib
import fnmatch
import json
import posixpath
import re
import shlex
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from oneteam_console.settings import ConsoleSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERIGNORE = ROOT / ".dockerignore"
DOCKERFILES = sorted((ROOT / "services").glob("*/Dockerfile"))
SHARED_PACKAGES = ("contracts", "libs/eventbus", "libs/servicekit")
DEV_ONLY_PACKAGE = "libs/devstack"
PYTHON_BASE_IMAGE = "python:3.11-slim"
INITDB_DIR = "/docker-entrypoint-initdb.d"
CONSOLE = ROOT / "services" / "console" / "Dockerfile"


@dataclass(frozen=True)
class Departure:
    """Where one service's image honestly differs from the others', which are all one text."""

    stages: tuple[tuple[str, str], ...] = ()  # (name, base image) of stages before the builder
    # (the others' line, this one's instead), service name as <service>, None for no line;
    # comment lines too, since the comparison is of the whole text.
    lines: tuple[tuple[str | None, str | None], ...] = ()
    database: bool = True


DEPARTURES = {
    "console": Departure(
        stages=(("web", "node:20-slim"),),  # builds the page: npm ci, npm run build
        lines=(
            ("COPY libs/deadlines/ libs/deadlines/", None),  # it sets no durable deadlines
            (None, "COPY --from=web /src/services/<service>/oneteam_<service>/static/ "
                   "services/<service>/oneteam_<service>/static/"),
            ("        ./contracts ./libs/eventbus ./libs/servicekit ./libs/deadlines ./services/<service>",
             "        ./contracts ./libs/eventbus ./libs/servicekit ./services/<service>"),
            ("# Liveness only (/healthz); /readyz (database and broker) is for orchestrators that "
             "route traffic.",
             "# Liveness only (/healthz); /readyz (intake and dispatch answer) is for orchestrators "
             "that route traffic."),
            ("# The start period covers migrations and the ~30 s broker retry before uvicorn starts "
             "listening.",
             "# No migrations and the event doorbell retries in the background: the same start "
             "period is ample."),
        ),
        database=False,  # it reads the other services' APIs instead
    ),
}


def _service_id(dockerfile: Path) -> str:
    return dockerfile.parent.name


def _departure(dockerfile: Path) -> Departure:
    return DEPARTURES.get(_service_id(dockerfile), Departure())


per_service = pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=_service_id)
WITH_DATABASE = [d for d in DOCKERFILES if _departure(d).database]
per_service_with_database = pytest.mark.parametrize("dockerfile", WITH_DATABASE, ids=_service_id)


# --- reading the compose file ---------------------------------------------------------------


@cache
def _compose() -> dict[str, Any]:
    assert COMPOSE_FILE.is_file(), f"{COMPOSE_FILE.name} is missing from the repository root"
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("services"), dict), (
        f"{COMPOSE_FILE.name} has no `services:` mapping"
    )
    return data


def _services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = _compose()["services"]
    return services


def _env(name: str) -> dict[str, str]:
    """A compose service's environment as strings, whichever of the two syntaxes it uses."""
    raw = _services()[name].get("environment") or {}
    if isinstance(raw, list):
        pairs = (item.split("=", 1) if "=" in item else (item, None) for item in raw)
        raw = dict(pairs)
    env = {}
    for key, value in raw.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        env[str(key)] = "" if value is None else str(value)
    return env


def _image_repository(spec: dict[str, Any]) -> str:
    image = str(spec.get("image", ""))
    name = image.split("@", 1)[0]
    if ":" in name.rsplit("/", 1)[-1]:
        name = name.rsplit(":", 1)[0]
    return name.removeprefix("docker.io/").removeprefix("library/")


def _only_service_with_image(repository: str) -> str:
    names = [
        name for name, spec in _services().items()
        if "build" not in spec and _image_repository(spec) == repository
    ]
    assert len(names) == 1, (
        f"expected exactly one compose service running the {repository!r} image, found {names}"
    )
    return names[0]


def _postgres() -> str:
    return _only_service_with_image("postgres")


def _kafka() -> str:
    return _only_service_with_image("apache/kafka")


def _network_names(name: str) -> set[str]:
    """The names other containers on the compose network can use to reach service `name`."""
    spec = _services()[name]
    names = {name}
    for key in ("hostname", "container_name"):
        if spec.get(key):
            names.add(str(spec[key]))
    networks = spec.get("networks")
    if isinstance(networks, dict):
        for network in networks.values():
            names.update((network or {}).get("aliases", []))
    return names


def _built_from(dockerfile: Path) -> str:
    """The compose service whose build uses `dockerfile`, with the repository root as context."""
    wanted = dockerfile.relative_to(ROOT).as_posix()
    found = []
    for name, spec in _services().items():
        build = spec.get("build")
        if build is None:
            continue
        if isinstance(build, str):
            build = {"context": build}
        relative = build.get("dockerfile", "Dockerfile")
        # Also match a dockerfile path written from the repository root, so that a wrong
        # context is reported as such rather than as a missing service.
        paths = {(ROOT / build.get("context", ".") / relative).resolve(),
                 (ROOT / relative).resolve()}
        if dockerfile.resolve() in paths:
            found.append((name, build))
    assert found, (
        f"{wanted} is not built by any service in {COMPOSE_FILE.name}: add one with "
        f"`build: {{context: ., dockerfile: {wanted}}}`"
    )
    assert len(found) == 1, f"{wanted} is built by several compose services: {found}"
    name, build = found[0]
    context = PurePosixPath(str(build.get("context", ".")))
    assert context == PurePosixPath("."), (
        f"compose service {name!r} builds {wanted} with context {str(context)!r}; the context must "
        "be '.' (the repository root) so the Dockerfile can copy the shared packages"
    )
    return name


def _healthcheck_words(name: str) -> list[str]:
    """The command of a compose service's healthcheck, as words; [] when it has none."""
    check = _services()[name].get("healthcheck") or {}
    test = check.get("test")
    if check.get("disable") or not test:
        return []
    if isinstance(test, str):
        return shlex.split(test)
    if test[0] == "NONE":
        return []
    if test[0] == "CMD-SHELL":
        return shlex.split(" ".join(test[1:]))
    return list(test[1:] if test[0] == "CMD" else test)


@dataclass(frozen=True)
class Published:
    host_ip: str
    host_port: int
    container_port: int
    protocol: str


def _published_ports(name: str) -> list[Published]:
    """Host ports published by a compose service, from the short or the long port syntax."""
    ports = []
    for entry in _services()[name].get("ports") or []:
        if isinstance(entry, dict):
            if entry.get("published") is None:
                continue
            ports.append(Published(str(entry.get("host_ip", "")), int(entry["published"]),
                                   int(entry["target"]), str(entry.get("protocol", "tcp"))))
            continue
        text, _, protocol = str(entry).partition("/")
        host_ip, host, container = "", "", text
        if ":" in text:
            rest, container = text.rsplit(":", 1)
            host_ip, _, host = rest.rpartition(":")
        if not host:
            continue  # only a container port: Docker picks a free host port
        host_range = [int(p) for p in host.split("-")]
        container_range = [int(p) for p in container.split("-")]
        span = range(host_range[0], host_range[-1] + 1)
        for offset, port in enumerate(span):
            ports.append(Published(host_ip.strip("[]"), port,
                                   container_range[0] + min(offset, len(container_range) - 1),
                                   protocol or "tcp"))
    return ports


# --- reading Kafka's listener settings ------------------------------------------------------


def _listeners(value: str) -> dict[str, tuple[str, int]]:
    """`NAME://host:port,...` as {NAME: (host, port)}."""
    result = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        listener, sep, address = item.partition("://")
        assert sep, f"kafka listener {item!r} is not of the form NAME://host:port"
        host, _, port = address.rpartition(":")
        result[listener] = (host.strip("[]"), int(port))
    return result


def _controller_listener_names(env: dict[str, str]) -> set[str]:
    return {n.strip() for n in env.get("KAFKA_CONTROLLER_LISTENER_NAMES", "").split(",") if n}


# --- reading the Dockerfiles ----------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


@cache
def _instructions(dockerfile: Path) -> tuple[Instruction, ...]:
    """Instructions with continuation lines joined and comments dropped."""
    result, pending = [], ""
    for line in dockerfile.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        text = (pending + line).strip()
        pending = ""
        keyword, _, args = text.partition(" ")
        result.append(Instruction(keyword.upper(), args.strip()))
    assert not pending, f"{dockerfile.relative_to(ROOT)} ends inside a continued line"
    return tuple(result)


def _stages(dockerfile: Path) -> list[list[Instruction]]:
    stages: list[list[Instruction]] = []
    for instruction in _instructions(dockerfile):
        if instruction.keyword == "FROM":
            stages.append([])
        assert stages, f"{dockerfile.relative_to(ROOT)}: {instruction.keyword} comes before FROM"
        stages[-1].append(instruction)
    return stages


def _stage_name(stage: list[Instruction]) -> str | None:
    """`FROM image AS name` → name."""
    words = stage[0].args.split()
    return words[2] if len(words) == 3 and words[1].upper() == "AS" else None


def _final(dockerfile: Path, keyword: str) -> Instruction:
    found = [i for i in _stages(dockerfile)[-1] if i.keyword == keyword]
    assert found, f"{dockerfile.relative_to(ROOT)}: the runtime stage has no {keyword}"
    return found[-1]


def _split_flags(args: str) -> tuple[dict[str, str], str]:
    """`--from=builder --chown=1:1 rest` as ({'from': 'builder', 'chown': '1:1'}, 'rest')."""
    flags = {}
    while args.startswith("--"):
        flag, _, args = args.partition(" ")
        key, _, value = flag[2:].partition("=")
        flags[key] = value
        args = args.lstrip()
    return flags, args


def _exec_form(dockerfile: Path, keyword: str, args: str) -> list[str]:
    try:
        words = json.loads(args)
    except json.JSONDecodeError:
        words = None
    assert isinstance(words, list) and all(isinstance(w, str) for w in words), (
        f"{dockerfile.relative_to(ROOT)}: {keyword} should use the exec (JSON array) form so "
        f"signals reach the process, got {args!r}"
    )
    return words


@dataclass(frozen=True)
class Copy:
    sources: tuple[str, ...]
    destination: str
    from_stage: str | None


def _copies(stage: list[Instruction], dockerfile: Path) -> list[Copy]:
    copies = []
    for instruction in stage:
        if instruction.keyword not in ("COPY", "ADD"):
            continue
        flags, rest = _split_flags(instruction.args)
        words = (_exec_form(dockerfile, instruction.keyword, rest) if rest.startswith("[")
                 else shlex.split(rest))
        assert len(words) >= 2, f"{dockerfile.relative_to(ROOT)}: incomplete {instruction}"
        copies.append(Copy(tuple(words[:-1]), words[-1], flags.get("from")))
    return copies


def _exposed_port(dockerfile: Path) -> int:
    ports = [int(p.split("/")[0]) for i in _stages(dockerfile)[-1] if i.keyword == "EXPOSE"
             for p in i.args.split()]
    assert len(ports) == 1, (
        f"{dockerfile.relative_to(ROOT)} should EXPOSE exactly one port (the HTTP port), "
        f"exposes {ports}"
    )
    return ports[0]


# --- .dockerignore --------------------------------------------------------------------------


def _ignore_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern (Go filepath.Match plus `**`) as a regular expression."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        elif pattern[i] == "[" and "]" in pattern[i + 1:]:
            end = pattern.index("]", i + 1)
            body = pattern[i + 1:end]
            out += "[" + ("^" + body[1:] if body[:1] in ("!", "^") else body) + "]"
            i = end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")


@cache
def _ignore_rules() -> tuple[tuple[bool, re.Pattern[str]], ...]:
    if not DOCKERIGNORE.is_file():
        return ()
    rules = []
    for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = str(PurePosixPath(line.lstrip("!").strip().lstrip("/")))
        rules.append((negated, _ignore_regex(pattern)))
    return tuple(rules)


def _ignored(path: str) -> bool:
    """Whether `path` (relative to the repository root) is left out of the build context."""
    parts = PurePosixPath(path).parts
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    ignored = False
    for negated, regex in _ignore_rules():
        if any(regex.match(prefix) for prefix in prefixes):
            ignored = not negated
    return ignored


# --- what the services themselves read ------------------------------------------------------


def _database_url(name: str, service: str) -> tuple[str, str]:
    env = _env(name)
    for var in (f"{service.upper()}_DATABASE_URL", "DATABASE_URL"):
        if env.get(var):
            return var, env[var]
    pytest.fail(
        f"compose service {name!r} sets neither {service.upper()}_DATABASE_URL nor DATABASE_URL, "
        "so it would use its built-in 127.0.0.1 default"
    )


def _init_sql_files() -> list[Path]:
    files = []
    for volume in _services()[_postgres()].get("volumes") or []:
        if isinstance(volume, dict):
            source, target = str(volume.get("source", "")), str(volume.get("target", ""))
        else:
            source, _, rest = str(volume).partition(":")
            target = rest.split(":", 1)[0]
        if target.startswith(INITDB_DIR) and source.startswith("."):
            host = ROOT / source
            files.extend(sorted(host.glob("*.sql")) if host.is_dir() else [host])
    return files


def _created_databases() -> set[str]:
    created: set[str] = set()
    for path in _init_sql_files():
        assert path.is_file(), f"{path.relative_to(ROOT)} is mounted into postgres but missing"
        sql = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        created.update(
            match.lower() for match in
            re.findall(r'\bCREATE\s+DATABASE\s+"?([A-Za-z_][A-Za-z0-9_$]*)"?', sql, re.IGNORECASE)
        )
    return created


def _package_include(service_dir: Path) -> list[str]:
    pyproject = tomllib.loads((service_dir / "pyproject.toml").read_text(encoding="utf-8"))
    include: list[str] = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    return include


# === the tests ==============================================================================


def test_there_are_service_dockerfiles_to_check() -> None:
    assert DOCKERFILES, "no services/*/Dockerfile found: nothing would be deployed by compose"


@per_service
def test_each_service_image_is_built_by_compose_from_the_repo_root(dockerfile: Path) -> None:
    _built_from(dockerfile)


@per_service_with_database
def test_each_service_reaches_its_own_database_through_asyncpg(dockerfile: Path) -> None:
    name, service = _built_from(dockerfile), _service_id(dockerfile)
    var, url = _database_url(name, service)
    parts = urlsplit(url)
    assert parts.scheme == "postgresql+asyncpg", (
        f"{name}: {var} uses driver {parts.scheme!r}; the services need 'postgresql+asyncpg'"
    )
    postgres = _postgres()
    assert parts.hostname in _network_names(postgres), (
        f"{name}: {var} points at host {parts.hostname!r}, not the compose service {postgres!r}"
    )
    assert (parts.port or 5432) == 5432, (
        f"{name}: {var} uses port {parts.port}; PostgreSQL listens on 5432 inside the network"
    )
    pg_env = _env(postgres)
    user, password = pg_env.get("POSTGRES_USER", "postgres"), pg_env.get("POSTGRES_PASSWORD")
    assert (parts.username, parts.password) == (user, password), (
        f"{name}: {var} logs in as {parts.username!r} with a password that does not match "
        f"{postgres}'s POSTGRES_USER={user!r} / POSTGRES_PASSWORD"
    )
    database = parts.path.lstrip("/")
    assert database, f"{name}: {var} names no database"
    created = _created_databases() | {pg_env.get("POSTGRES_DB", user)}
    assert database in created, (
        f"{name}: {var} uses database {database!r}, which neither the init SQL "
        f"({[p.relative_to(ROOT).as_posix() for p in _init_sql_files()]}) nor POSTGRES_DB "
        f"creates; created: {sorted(created)}"
    )


def test_init_sql_creates_a_database_for_every_service() -> None:
    files = _init_sql_files()
    assert files, (
        f"no init SQL is mounted into {_postgres()}'s {INITDB_DIR}/, so the per-service "
        "databases are never created"
    )
    created = _created_databases()
    for dockerfile in WITH_DATABASE:
        name, service = _built_from(dockerfile), _service_id(dockerfile)
        database = urlsplit(_database_url(name, service)[1]).path.lstrip("/")
        assert database in created, (
            f"the init SQL does not CREATE DATABASE {database} (used by {name}); "
            f"it creates {sorted(created)}"
        )
    pg_env = _env(_postgres())
    pg_db = pg_env.get("POSTGRES_DB", pg_env.get("POSTGRES_USER", "postgres"))
    assert pg_db not in created, (
        f"POSTGRES_DB={pg_db} is created by the entrypoint already; CREATE DATABASE {pg_db} in "
        "the init SQL would fail and abort the first start"
    )


@per_service
def test_each_service_uses_the_kafka_internal_listener(dockerfile: Path) -> None:
    name = _built_from(dockerfile)
    env, kafka = _env(name), _kafka()
    kafka_env = _env(kafka)
    advertised = _listeners(kafka_env.get("KAFKA_ADVERTISED_LISTENERS", ""))
    internal = {
        f"{host}:{port}" for listener, (host, port) in advertised.items()
        if host in _network_names(kafka) and listener not in _controller_listener_names(kafka_env)
    }
    assert internal, (
        f"{kafka}'s KAFKA_ADVERTISED_LISTENERS {sorted(advertised)} advertise no address that "
        f"containers can resolve (one of {sorted(_network_names(kafka))})"
    )
    bootstrap = [s.strip() for s in env.get("KAFKA_BOOTSTRAP_SERVERS", "").split(",") if s.strip()]
    assert bootstrap, f"{name}: KAFKA_BOOTSTRAP_SERVERS is not set (the default is 127.0.0.1)"
    wrong = [server for server in bootstrap if server not in internal]
    assert not wrong, (
        f"{name}: KAFKA_BOOTSTRAP_SERVERS has {wrong}, which is not {kafka}'s internal "
        f"advertised listener {sorted(internal)}"
    )
    assert env.get("KAFKA_ENABLE_IDEMPOTENCE", "").lower() == "true", (
        f"{name}: KAFKA_ENABLE_IDEMPOTENCE should be 'true' against Apache Kafka, "
        f"got {env.get('KAFKA_ENABLE_IDEMPOTENCE')!r}"
    )
    factor = env.get("KAFKA_REPLICATION_FACTOR", "1")
    assert factor.isdigit() and int(factor) == 1, (
        f"{name}: KAFKA_REPLICATION_FACTOR={factor!r}, but the compose cluster has one broker"
    )


def _depends_on(name: str) -> dict[str, Any]:
    depends_on = _services()[name].get("depends_on") or {}
    assert isinstance(depends_on, dict), (
        f"{name}: depends_on is a list, which only waits for the containers to start; use the "
        "long form with `condition: service_healthy`"
    )
    return depends_on


@per_service
def test_each_service_waits_for_healthy_postgres_and_kafka(dockerfile: Path) -> None:
    name = _built_from(dockerfile)
    depends_on = _depends_on(name)
    for dependency in (_postgres(), _kafka()) if _departure(dockerfile).database else (_kafka(),):
        condition = (depends_on.get(dependency) or {}).get("condition")
        assert condition == "service_healthy", (
            f"{name}: depends_on.{dependency}.condition is {condition!r}, "
            "expected 'service_healthy'"
        )
        assert _healthcheck_words(dependency), (
            f"{name} waits for {dependency} to be healthy, but {dependency} has no healthcheck, "
            "so it never becomes healthy"
        )


def test_postgres_healthcheck_uses_pg_isready_over_tcp() -> None:
    postgres = _postgres()
    words = _healthcheck_words(postgres)
    assert words and words[0] == "pg_isready", f"{postgres}'s healthcheck is not pg_isready: {words}"
    assert "-h" in words or any(w.startswith("--host") for w in words), (
        f"{postgres}'s pg_isready checks the Unix socket, which the entrypoint's temporary "
        "server answers while the init SQL is still running; pass -h 127.0.0.1"
    )


def test_kafka_healthcheck_asks_the_broker_for_api_versions() -> None:
    kafka = _kafka()
    words = _healthcheck_words(kafka)
    assert words and words[0] == "/opt/kafka/bin/kafka-broker-api-versions.sh", (
        f"{kafka}'s healthcheck should run /opt/kafka/bin/kafka-broker-api-versions.sh, "
        f"runs {words}"
    )
    assert "--bootstrap-server" in words, f"{kafka}'s healthcheck has no --bootstrap-server"
    server = words[words.index("--bootstrap-server") + 1]
    host, _, port = server.rpartition(":")
    env = _env(kafka)
    broker_ports = {p for listener, (_, p) in _listeners(env.get("KAFKA_LISTENERS", "")).items()
                    if listener not in _controller_listener_names(env)}
    assert host in ("localhost", "127.0.0.1") and int(port) in broker_ports, (
        f"{kafka}'s healthcheck asks {server}, which is not a local broker listener "
        f"(ports {sorted(broker_ports)})"
    )


def test_kafka_runs_in_kraft_mode_without_zookeeper() -> None:
    kafka = _kafka()
    env = _env(kafka)
    roles = {r.strip() for r in env.get("KAFKA_PROCESS_ROLES", "").split(",")}
    assert {"broker", "controller"} <= roles, (
        f"{kafka}: KAFKA_PROCESS_ROLES={env.get('KAFKA_PROCESS_ROLES')!r}; a single KRaft node "
        "must be both broker and controller"
    )
    node_id = env.get("KAFKA_NODE_ID", "")
    controllers = _controller_listener_names(env)
    listeners = _listeners(env.get("KAFKA_LISTENERS", ""))
    assert controllers and controllers <= listeners.keys(), (
        f"{kafka}: KAFKA_CONTROLLER_LISTENER_NAMES {sorted(controllers)} must name listeners "
        f"in KAFKA_LISTENERS {sorted(listeners)}"
    )
    controller_ports = {listeners[c][1] for c in controllers}
    voters = [v.strip() for v in env.get("KAFKA_CONTROLLER_QUORUM_VOTERS", "").split(",") if v]
    assert len(voters) == 1, f"{kafka}: expected one quorum voter, got {voters}"
    voter_id, _, address = voters[0].partition("@")
    voter_host, _, voter_port = address.rpartition(":")
    assert voter_id == node_id, (
        f"{kafka}: quorum voter {voters[0]!r} is not this node (KAFKA_NODE_ID={node_id!r})"
    )
    assert voter_host in _network_names(kafka) and int(voter_port) in controller_ports, (
        f"{kafka}: quorum voter {voters[0]!r} does not point at this node's controller "
        f"listener (port {sorted(controller_ports)})"
    )
    for setting in ("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
                    "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
                    "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"):
        assert env.get(setting) == "1", (
            f"{kafka}: {setting}={env.get(setting)!r}; with one broker it must be 1 or the "
            "internal topics can never be created"
        )
    cluster_id = env.get("CLUSTER_ID")
    if cluster_id is not None:
        try:
            raw = base64.urlsafe_b64decode(cluster_id + "=" * (-len(cluster_id) % 4))
        except (binascii.Error, ValueError):
            raw = b""
        assert len(raw) == 16 and len(cluster_id) == 22, (
            f"{kafka}: CLUSTER_ID={cluster_id!r} is not a base64url-encoded 16-byte UUID "
            "(22 characters); `kafka-storage.sh format` would refuse it"
        )
    # Comments may say "no ZooKeeper"; the settings themselves must not use it.
    settings = yaml.safe_dump(_compose()).lower()
    assert "zookeeper" not in settings, (
        f"{COMPOSE_FILE.name} configures ZooKeeper (a service, image or KAFKA_ZOOKEEPER_* "
        "setting); KRaft needs none"
    )


def test_kafka_image_is_an_official_kraft_release() -> None:
    image = str(_services()[_kafka()]["image"])
    tag = image.rsplit(":", 1)[-1] if ":" in image else ""
    version = tuple(int(p) for p in re.findall(r"\d+", tag)[:3])
    assert version >= (3, 9, 0), (
        f"kafka image {image!r}: pin an apache/kafka release of 3.9.0 or newer, not {tag!r}"
    )


def test_kafka_image_matches_the_broker_the_tests_run() -> None:
    pom = ROOT / "deploy" / "kafka" / "pom.xml"
    if not pom.is_file():
        pytest.skip("deploy/kafka/pom.xml is not here, so there is no test broker version")
    match = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", pom.read_text(encoding="utf-8"))
    assert match, "deploy/kafka/pom.xml has no <kafka.version>"
    image = str(_services()[_kafka()]["image"])
    assert image == f"apache/kafka:{match[1]}", (
        f"compose runs {image!r} but the test broker (deploy/kafka/pom.xml) is Kafka "
        f"{match[1]}; keep them on the same release"
    )


def test_published_ports_do_not_collide() -> None:
    owners: dict[tuple[int, str], list[str]] = {}
    for name in _services():
        for port in _published_ports(name):
            owners.setdefault((port.host_port, port.protocol), []).append(name)
    clashes = {f"{port}/{proto}": names for (port, proto), names in owners.items()
               if len(names) > 1}
    assert not clashes, f"host ports published more than once: {clashes}"


@per_service
def test_each_service_publishes_its_exposed_port(dockerfile: Path) -> None:
    name, exposed = _built_from(dockerfile), _exposed_port(dockerfile)
    ports = _published_ports(name)
    assert ports, f"{name} publishes no host port, so its API cannot be reached from the host"
    wrong = [p for p in ports if p.container_port != exposed]
    assert not wrong, (
        f"{name} publishes container port(s) {[p.container_port for p in wrong]}, but its image "
        f"serves on {exposed}"
    )


def _mounts(name: str) -> dict[str, tuple[str, bool]]:
    """A compose service's bind mounts as {target: (source, read-only)}."""
    mounts = {}
    for volume in _services()[name].get("volumes") or []:
        if isinstance(volume, dict):
            mounts[str(volume["target"])] = (str(volume.get("source")),
                                             bool(volume.get("read_only")))
        else:
            source, target, *mode = str(volume).split(":")
            mounts[target] = (source, "ro" in ",".join(mode).split(","))
    return mounts


def test_dispatch_reads_the_demo_roster_from_a_read_only_mount() -> None:
    dockerfile = ROOT / "services" / "dispatch" / "Dockerfile"
    name = _built_from(dockerfile)
    roster = _env(name).get("DISPATCH_ROSTER_FILE")
    assert roster, f"{name}: DISPATCH_ROSTER_FILE is not set, so no demo officers are loaded"
    mounts = _mounts(name)
    assert roster in mounts, (
        f"{name}: DISPATCH_ROSTER_FILE={roster} is not a mounted path; mounts: {sorted(mounts)}"
    )
    source, read_only = mounts[roster]
    assert read_only, f"{name}: the roster mount {source}:{roster} should be read-only (:ro)"
    host_file = ROOT / source
    assert host_file.is_file(), f"{name} mounts {source} as the roster, but it does not exist"
    officers = json.loads(host_file.read_text(encoding="utf-8"))
    assert isinstance(officers, list) and officers, f"{source} is not a non-empty JSON list"


def test_console_reads_the_services_at_their_compose_addresses() -> None:
    name, built = _built_from(CONSOLE), {_service_id(d): d for d in DOCKERFILES}
    env, depends_on = _env(name), _depends_on(name)
    urls = {field.removesuffix("_url"): info for field, info in ConsoleSettings.model_fields.items()
            if field.removesuffix("_url") in built}
    assert urls, "ConsoleSettings has no <service>_url setting for a service compose builds"
    for service, info in urls.items():
        target, var = _built_from(built[service]), f"CONSOLE_{service.upper()}_URL"
        url, port = urlsplit(env.get(var, "")), _exposed_port(built[service])
        assert (url.scheme, url.port) == ("http", port) and url.hostname in _network_names(target), (
            f"{name}: {var}={env.get(var)!r}, expected http://{target}:{port} (the default "
            "127.0.0.1 is the console's own container)"
        )
        # Ready means the services it cannot do without answer (`str`); the optional panels'
        # (`str | None`) say "not available" until theirs start answering.
        conditions = {"service_healthy"} | (set() if info.annotation is str else {"service_started"})
        condition = (depends_on.get(target) or {}).get("condition")
        assert condition in conditions, (
            f"{name}: depends_on.{target}.condition is {condition!r}, expected one of {sorted(conditions)}"
        )


@pytest.mark.parametrize("dockerfile", [d for d in DOCKERFILES if d not in WITH_DATABASE], ids=_service_id)
def test_a_service_without_a_database_neither_names_nor_waits_for_one(dockerfile: Path) -> None:
    name = _built_from(dockerfile)
    named = [var for var in _env(name) if var.endswith("DATABASE_URL")]
    assert not named, f"{name} keeps no data (DEPARTURES), but compose sets {named}"
    assert _postgres() not in _depends_on(name), f"{name} keeps no data but waits for {_postgres()}"


def test_console_draws_the_demo_areas_from_a_read_only_mount() -> None:
    name = _built_from(CONSOLE)
    areas = _env(name).get("CONSOLE_AREAS_DIR")
    assert areas, f"{name}: CONSOLE_AREAS_DIR is not set, so the map has no districts or grids"
    source, read_only = _mounts(name).get(areas, ("", False))
    assert source and read_only, f"{name}: CONSOLE_AREAS_DIR={areas} is not a read-only mount"
    assert list((ROOT / source).glob("*.geojson")), f"{name} mounts {source}, which has no *.geojson"


def test_console_page_is_built_in_the_image_from_the_lockfile() -> None:
    where, stages = CONSOLE.relative_to(ROOT), {_stage_name(s): s for s in _stages(CONSOLE)}
    web = stages.get("web")
    assert web, f"{where} has no `web` stage building the page"
    web_dir, copied, workdir = "services/console/web", set(), PurePosixPath("/")
    for instruction in web[1:]:
        if instruction.keyword == "WORKDIR":
            workdir = workdir / instruction.args
        for copy in _copies([instruction], CONSOLE):
            copied.update(PurePosixPath(s).as_posix() for s in copy.sources)
        if instruction.keyword == "RUN" and "npm ci" in instruction.args:
            assert f"{web_dir}/package-lock.json" in copied, f"{where}: `npm ci` before the lockfile"
        if instruction.keyword == "RUN" and "npm run build" in instruction.args:
            assert web_dir in copied, f"{where}: `npm run build` before {web_dir}/ is copied"
    runs = " ".join(i.args for i in web if i.keyword == "RUN")
    assert "npm ci" in runs and "npm run build" in runs, f"{where}: the web stage should npm ci, npm run build"
    vite = (ROOT / web_dir / "vite.config.ts").read_text(encoding="utf-8")
    out_dir = re.search(r"outDir:\s*[\"']([^\"']+)", vite)
    assert out_dir, f"{web_dir}/vite.config.ts sets no build.outDir"
    built = PurePosixPath(posixpath.normpath(workdir / out_dir[1]))
    builder = next(s for s in _stages(CONSOLE) if _stage_name(s) == "builder")
    wheel = next(n for n, i in enumerate(builder) if i.keyword == "RUN" and "pip wheel" in i.args)
    taken = [c for c in _copies(builder[:wheel], CONSOLE) if c.from_stage == "web"]
    assert [PurePosixPath(s) for c in taken for s in c.sources] == [built], (
        f"{where}: before `pip wheel` the builder should copy the page Vite writes ({built}) from "
        f"the web stage, copies {taken}"
    )
    package = PurePosixPath("services/console/oneteam_console")
    assert PurePosixPath(taken[0].destination) == package / built.name, (
        f"{where}: the page goes to {taken[0].destination}, not into the package ({package}/{built.name})"
    )
    served = ConsoleSettings.model_fields["static_dir"].default
    assert served.name == built.name, f"the console serves {served.name}/, the image builds {built.name}/"
    data = tomllib.loads((ROOT / "services/console/pyproject.toml").read_text(encoding="utf-8"))
    assert f"{built.name}/*" in data["tool"]["setuptools"]["package-data"]["oneteam_console"], (
        f"services/console/pyproject.toml does not put {built.name}/ into the wheel"
    )


@per_service
def test_every_file_a_dockerfile_copies_is_in_the_build_context(dockerfile: Path) -> None:
    where = dockerfile.relative_to(ROOT)
    for stage in _stages(dockerfile):
        for copy in _copies(stage, dockerfile):
            if copy.from_stage is not None:
                continue
            for source in copy.sources:
                path = (ROOT / source).resolve()
                assert path.is_relative_to(ROOT), f"{where}: COPY {source} leaves the context"
                relative = path.relative_to(ROOT).as_posix()
                assert path.exists(), f"{where}: COPY {source}: {relative} does not exist"
                assert not _ignored(relative), (
                    f"{where}: COPY {source}, but .dockerignore leaves {relative} out of the "
                    "build context"
                )
                if (path / "pyproject.toml").is_file():
                    needed = [f"{relative}/pyproject.toml"] + [
                        f"{relative}/{pattern.rstrip('*.')}/__init__.py"
                        for pattern in _package_include(path)
                    ]
                    dropped = [f for f in needed if _ignored(f)]
                    assert not dropped, (
                        f"{where}: .dockerignore drops {dropped}, which pip needs to build "
                        f"{relative}"
                    )


@per_service
def test_each_image_builds_wheels_then_installs_only_them(dockerfile: Path) -> None:
    where, service = dockerfile.relative_to(ROOT), _service_id(dockerfile)
    stages = _stages(dockerfile)
    assert len(stages) >= 2, f"{where} should be multi-stage (a builder and a runtime stage)"
    extra = dict(_departure(dockerfile).stages)
    for stage in stages:
        image, expected = stage[0].args.split()[0], extra.get(_stage_name(stage), PYTHON_BASE_IMAGE)
        assert image == expected, f"{where}: FROM {image}, expected {expected}"
    runs = " ".join(i.args for stage in stages[:-1] for i in stage if i.keyword == "RUN")
    wheel = re.search(r"pip wheel\b([^&;|]*)", runs)
    assert wheel, f"{where}: no builder stage runs `pip wheel`"
    built = {PurePosixPath(word).as_posix() for word in wheel[1].split() if word.startswith("./")}
    wanted = {f"{p}" for p in (*SHARED_PACKAGES, f"services/{service}")}
    missing = wanted - built
    assert not missing, f"{where}: `pip wheel` does not build {sorted(missing)}"
    runtime = stages[-1]
    context_copies = [c for c in _copies(runtime, dockerfile) if c.from_stage is None]
    assert not context_copies, (
        f"{where}: the runtime stage copies {[c.sources for c in context_copies]} from the build "
        "context; it should install only the builder's wheels"
    )
    install = " ".join(i.args for i in runtime if i.keyword == "RUN" and "pip install" in i.args)
    assert "--no-index" in install and "--find-links" in install, (
        f"{where}: the runtime stage's pip install should use --no-index --find-links with the "
        f"builder's wheels, got {install!r}"
    )
    assert re.search(rf"\boneteam-{service}\b", install), (
        f"{where}: the runtime stage does not install oneteam-{service}"
    )


def test_images_leave_out_the_dev_only_stack() -> None:
    assert _ignored(f"{DEV_ONLY_PACKAGE}/pyproject.toml"), (
        f".dockerignore should exclude {DEV_ONLY_PACKAGE}: it is dev-only and must never reach "
        "an image"
    )
    for dockerfile in DOCKERFILES:
        where = dockerfile.relative_to(ROOT)
        text = dockerfile.read_text(encoding="utf-8")
        assert DEV_ONLY_PACKAGE not in text and "oneteam-devstack" not in text, (
            f"{where} refers to the dev-only {DEV_ONLY_PACKAGE}"
        )
        for stage in _stages(dockerfile):
            for copy in _copies(stage, dockerfile):
                whole = [s for s in copy.sources if copy.from_stage is None
                         and PurePosixPath(s) in (PurePosixPath("."), PurePosixPath("libs"))]
                assert not whole, f"{where}: COPY {whole} would bring {DEV_ONLY_PACKAGE} along"


@per_service
def test_each_image_runs_as_a_non_root_user(dockerfile: Path) -> None:
    user = _final(dockerfile, "USER").args.split(":")[0]
    assert user not in ("root", "0"), (
        f"{dockerfile.relative_to(ROOT)}: the runtime stage runs as {user!r}"
    )


@per_service
def test_each_image_serves_its_app_on_the_exposed_port(dockerfile: Path) -> None:
    where, service_dir = dockerfile.relative_to(ROOT), dockerfile.parent
    words = _exec_form(dockerfile, "CMD", _final(dockerfile, "CMD").args)
    assert words[:1] == ["uvicorn"] and len(words) >= 2, f"{where}: CMD should run uvicorn: {words}"
    module, sep, attribute = words[1].partition(":")
    assert sep and attribute, f"{where}: CMD's {words[1]!r} is not of the form module:app"
    relative = Path(*module.split("."))
    candidates = [service_dir / relative.with_suffix(".py"), service_dir / relative / "__init__.py"]
    source = next((c for c in candidates if c.is_file()), None)
    assert source, (
        f"{where}: CMD serves {words[1]}, but neither "
        f"{' nor '.join(c.relative_to(ROOT).as_posix() for c in candidates)} exists"
    )
    assert re.search(rf"^{re.escape(attribute)}\s*[:=]", source.read_text(encoding="utf-8"),
                     re.MULTILINE), (
        f"{where}: CMD serves {words[1]}, but {source.relative_to(ROOT)} defines no "
        f"module-level {attribute!r}"
    )
    top = module.split(".")[0]
    assert any(fnmatch.fnmatch(top, p) for p in _package_include(service_dir)), (
        f"{where}: {top} is not among the packages {service_dir.name}'s pyproject.toml puts "
        "in its wheel"
    )
    options = dict(zip(words[2::2], words[3::2], strict=False))
    assert options.get("--host") == "0.0.0.0", (
        f"{where}: uvicorn listens on {options.get('--host', '127.0.0.1')!r}; it must bind "
        "0.0.0.0 to be reachable from outside the container"
    )
    exposed = _exposed_port(dockerfile)
    assert options.get("--port") == str(exposed), (
        f"{where}: uvicorn listens on port {options.get('--port', '8000')} "
        f"but the image EXPOSEs {exposed}"
    )


@per_service
def test_each_image_healthcheck_probes_healthz_with_urllib(dockerfile: Path) -> None:
    where = dockerfile.relative_to(ROOT)
    args = _final(dockerfile, "HEALTHCHECK").args
    _, sep, command = args.partition("CMD ")
    assert sep, f"{where}: HEALTHCHECK has no CMD: {args!r}"
    words = _exec_form(dockerfile, "HEALTHCHECK CMD", command.strip())
    assert words[0] in ("python", "python3") and "urllib" in " ".join(words), (
        f"{where}: HEALTHCHECK should use python's urllib (the slim image has no curl): {words}"
    )
    urls = re.findall(r"https?://[^\s'\"]+", " ".join(words))
    assert len(urls) == 1, f"{where}: HEALTHCHECK should request one URL, found {urls}"
    url = urlsplit(urls[0])
    exposed = _exposed_port(dockerfile)
    assert (url.hostname, url.port, url.path) in {
        (host, exposed, "/healthz") for host in ("127.0.0.1", "localhost")
    }, f"{where}: HEALTHCHECK requests {urls[0]}, expected http://127.0.0.1:{exposed}/healthz"


def _normalised(dockerfile: Path) -> list[str]:
    """The Dockerfile's lines with its service name as <service>, less its own extra stages
    (each from its `# --- name:` heading to the next heading)."""
    text = dockerfile.read_text(encoding="utf-8").replace(_service_id(dockerfile), "<service>")
    extra = {f"# --- {name}:" for name, _ in _departure(dockerfile).stages}
    kept, skipping = [], False
    for line in text.splitlines():
        if line.startswith("# --- "):
            skipping = any(line.startswith(heading) for heading in extra)
        if not skipping:
            kept.append(line)
    return kept


def test_service_dockerfiles_differ_only_in_the_service_name() -> None:
    plain = [d for d in DOCKERFILES if _service_id(d) not in DEPARTURES]
    if len(plain) < 2:
        pytest.skip("fewer than two service Dockerfiles without departures")
    reference = _normalised(plain[0])
    for other in (d for d in DOCKERFILES if d != plain[0]):
        matcher = difflib.SequenceMatcher(None, reference, _normalised(other), autojunk=False)
        changes = [(reference[i1:i2], matcher.b[j1:j2])
                   for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]
        removed, added = [a for r, _ in changes for a in r], [b for _, n in changes for b in n]
        listed = _departure(other).lines
        expected = [a for a, _ in listed if a is not None], [b for _, b in listed if b is not None]
        assert (removed, added) == expected, (
            f"{other.relative_to(ROOT)} differs from {plain[0].relative_to(ROOT)} in more than the "
            f"service name (and DEPARTURES): it lacks {removed[:4]} and adds {added[:4]}, where "
            f"{len(expected[0])} and {len(expected[1])} lines are listed"
        )


def test_dockerignore_keeps_local_state_out_of_the_build_context() -> None:
    assert DOCKERIGNORE.is_file(), ".dockerignore is missing, so .venv, .data and .git are sent"
    samples = [
        ".git/HEAD", ".venv/bin/python", ".data/postgres/PG_VERSION",
        "libs/servicekit/oneteam_servicekit/__pycache__/app.cpython-311.pyc",
        "services/intake/oneteam_intake.egg-info/PKG-INFO",
        ".pytest_cache/README.md", ".mypy_cache/CACHEDIR.TAG", ".ruff_cache/CACHEDIR.TAG",
        "contracts/.ruff_cache/CACHEDIR.TAG",
        # The console's page is built in its image, from the sources and the lockfile.
        "services/console/web/node_modules/vite/package.json",
        "services/console/oneteam_console/static/index.html",
    ]
    kept = [path for path in samples if not _ignored(path)]
    assert not kept, f".dockerignore lets these into the build context: {kept}"


def _compose_client() -> list[str] | None:
    docker = shutil.which("docker")
    if docker is None:
        return None
    try:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30,
                               check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return [docker, "compose"] if probe.returncode == 0 else None


def test_compose_file_is_valid_for_docker_compose() -> None:
    client = _compose_client()
    if client is None:
        pytest.skip("no `docker compose` client here (the docker CLI or its compose plugin "
                    "is missing)")
    result = subprocess.run([*client, "-f", str(COMPOSE_FILE), "config", "-q"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, (
        f"`docker compose config -q` rejects {COMPOSE_FILE.name}:\n{result.stderr}{result.stdout}"
    )
