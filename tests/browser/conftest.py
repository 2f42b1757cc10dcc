"""The suite plus the console, and Debian's chromium driven by Playwright (no browser download)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from oneteam_devstack.stack import Stack
from oneteam_devstack.testing import roster

TENANT = "330106004"
REPO = Path(__file__).resolve().parents[2]
DEMO_LIST = REPO / "services/dispatch/oneteam_dispatch/config" / TENANT / "responsibilities.yaml"
# Acknowledge within 9 s instead of 1 min, so a missed acknowledgement is seen in seconds.
QUICK = {"acknowledge": 0.15, "coordinate": 0.3, "arrive": 0.5, "report": 0.8, "max_travel": 5}
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Debian's chromium against the running suite")


def responsibility_list(folder: Path) -> Path:
    """The demo list, with noise needing a skill nobody on the roster has: it lands on the queue."""
    data = yaml.safe_load(DEMO_LIST.read_text(encoding="utf-8"))
    data["sla_profiles"]["quick"] = QUICK
    for entry in data["entries"]:
        if entry["category"] == "noise":
            entry["sla_profile"] = "quick"
            entry["skills"] = ["noise_meter"]
    (folder / TENANT).mkdir(parents=True)
    (folder / TENANT / "responsibilities.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium; CI installs it (.ci/run), a developer without it is told how."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"chromium not found at {CHROMIUM}: apt-get install -y chromium")
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def screen_suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Every service and the console on free loopback ports, with a quick 1-3-5-8 for noise."""
    folder = tmp_path_factory.mktemp("screen")
    (folder / "roster.json").write_text(json.dumps(roster(40)))
    stack = Stack(folder, durable=False, fixed_ports=False, extra_env={
        "DISPATCH_ROSTER_FILE": str(folder / "roster.json"),
        "DISPATCH_CONFIG_DIR": str(responsibility_list(folder / "dispatch-config")),
        "DISPATCH_SCHEDULER_POLL_S": "0.2", "DISPATCH_BATCH_WINDOW_MS": "50", "LOG_JSON": "true",
        "CONSOLE_FIGURES_S": "2"})
    try:
        stack.start_all()
        yield stack
    finally:
        stack.stop()
