"""The screen's speed in Debian's chromium: time to first render, and event → pixel with many officers.

Starts embedded PostgreSQL, the broker (or KAFKA_BOOTSTRAP_SERVERS), intake, dispatch with a
roster of `--officers` and the console; opens the page at 1920×1080 and measures

- first render: from navigation (token already in the session) until every officer is drawn;
- a second screen of the tenant opened right after (the console's held picture), and for both
  the page's performance marks: feed-start, picture-parsed, officers-set, officers-idle;
- event → pixel: one officer's position posted to dispatch until the map draws it there, while
  `--movers` other officers' fixes per second are posted in the background (the page gets them
  in batches), `--samples` times.

    .venv/bin/python services/console/scripts/bench.py [--officers 5000] [--samples 20] [--movers 200]

Prints the figures and writes them as JSON (`--out`, default .data/bench/console.json).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import sync_playwright

from oneteam_devstack.stack import SERVICES, Stack
from oneteam_devstack.testing import roster
from oneteam_servicekit import ServiceSettings
from oneteam_servicekit.auth import issue_token

TENANT = "330106004"
SETTINGS = ServiceSettings()
# A few pixels queried where the officer should now be: cheap enough to poll every 20 ms.
DRAWN_AT = "([id, lon, lat]) => oneteamConsole.drawnAt('officers', id, lon, lat)"


def fix(lon: float, lat: float) -> dict[str, Any]:
    return {"fixes": [{"lon": lon, "lat": lat, "crs": "wgs84", "recorded_at": datetime.now(UTC).isoformat(),
                       "source": "terminal", "accuracy_m": 5}]}


def post_position(client: httpx.Client, dispatch: str, officer: str, lon: float, lat: float) -> None:
    bearer = issue_token(SETTINGS, officer, ["officer"], tenant=TENANT, officer_id=officer)
    answer = client.post(f"{dispatch}/v1/officers/{officer}/positions", json=fix(lon, lat),
                         headers={"Authorization": f"Bearer {bearer}"})
    answer.raise_for_status()


def movers(dispatch: str, officers: list[str], rate: float, stop: threading.Event) -> None:
    rng = random.Random(3)
    with httpx.Client(timeout=10) as client:
        while not stop.is_set():
            started = time.monotonic()
            lon, lat = rng.uniform(120.11, 120.14), rng.uniform(30.278, 30.302)
            post_position(client, dispatch, rng.choice(officers), lon, lat)
            time.sleep(max(0.0, 1 / rate - (time.monotonic() - started)))


def measure(args: argparse.Namespace, urls: dict[str, str], chromium: str) -> dict[str, Any]:
    commander = issue_token(SETTINGS, "bench", ["commander"], tenant=TENANT)
    officers = [f"test-{i:05d}" for i in range(args.officers)]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.add_init_script(f"sessionStorage.setItem('oneteam.token', {json.dumps(commander)})")
        started = time.monotonic()
        page.goto(urls["console"])
        page.wait_for_function("n => oneteamConsole.rendered('officers').length >= n", arg=args.officers,
                               polling=100, timeout=120_000)
        first_render = time.monotonic() - started
        # Where the first render went, in ms since navigation: the page's own performance marks.
        marks = page.evaluate("oneteamConsole.marks ? oneteamConsole.marks() : {}")  # older pages: none
        # A second screen of the same tenant opened now: what a reload or another wall display costs.
        second = browser.new_page(viewport={"width": 1920, "height": 1080})
        second.add_init_script(f"sessionStorage.setItem('oneteam.token', {json.dumps(commander)})")
        started = time.monotonic()
        second.goto(urls["console"])
        second.wait_for_function("n => oneteamConsole.rendered('officers').length >= n", arg=args.officers,
                                 polling=100, timeout=120_000)
        second_render = time.monotonic() - started
        second_marks = second.evaluate("oneteamConsole.marks ? oneteamConsole.marks() : {}")
        second.close()

        stop = threading.Event()
        background = threading.Thread(target=movers, args=(urls["dispatch"], officers[1:], args.movers, stop),
                                      daemon=True)
        if args.movers > 0:
            background.start()
        samples, arrivals = [], []
        page.evaluate("id => { oneteamConsole.watch = id; }", officers[0])
        with httpx.Client(timeout=10) as client:
            board = time.monotonic()
            client.get(f"{urls['dispatch']}/v1/board", headers={"Authorization": f"Bearer {commander}"})
            board_s = time.monotonic() - board
            for n in range(args.samples):
                lon, lat = 120.112 + 0.0013 * n, 30.280 + 0.0009 * n
                sent_page = page.evaluate("performance.now()")
                sent = time.monotonic()
                post_position(client, urls["dispatch"], officers[0], lon, lat)
                page.wait_for_function(DRAWN_AT, arg=[officers[0], lon, lat], polling=20, timeout=30_000)
                samples.append(time.monotonic() - sent)
                arrivals.append((page.evaluate("oneteamConsole.arrived") - sent_page) / 1000)
                time.sleep(0.3)
        stop.set()
        browser.close()
    ordered = sorted(samples)
    return {"officers": args.officers, "movers_per_s": args.movers, "first_render_s": round(first_render, 2),
            "first_render_marks_ms": marks, "second_screen_render_s": round(second_render, 2),
            "second_screen_marks_ms": second_marks,
            "event_to_pixel_s": {"median": round(statistics.median(ordered), 3),
                                 "p95": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 3),
                                 "max": round(ordered[-1], 3), "samples": len(ordered)},
            # Of which: until the batch reached the page (server: doorbell, board, delta, SSE).
            "event_to_page_s": {"median": round(statistics.median(arrivals), 3)},
            "one_board_read_s": round(board_s, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=5000)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--movers", type=float, default=200, help="background fixes per second (0: none)")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--out", default=".data/bench/console.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="console-bench-") as folder:
        (Path(folder) / "roster.json").write_text(json.dumps(roster(args.officers)))
        stack = Stack(Path(folder), durable=False, fixed_ports=False,
                      extra_env={"DISPATCH_ROSTER_FILE": str(Path(folder) / "roster.json")})
        try:
            stack.start_infra()
            for spec in SERVICES:
                if spec.name in {"intake", "dispatch", "console"}:
                    stack.start_service(spec)
            figures = measure(args, stack.urls, args.chromium)
        finally:
            stack.stop()
    print(f"officers {figures['officers']}, background fixes {figures['movers_per_s']}/s")
    print(f"first render (every officer drawn): {figures['first_render_s']} s; "
          f"page marks (ms): {figures['first_render_marks_ms']}")
    print(f"a second screen of the tenant: {figures['second_screen_render_s']} s; "
          f"page marks (ms): {figures['second_screen_marks_ms']}")
    e2p = figures["event_to_pixel_s"]
    print(f"position posted → drawn: median {e2p['median']} s, p95 {e2p['p95']} s, max {e2p['max']} s "
          f"({e2p['samples']} samples)")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2))
    print(f"  of which posted → batch in the page: median {figures['event_to_page_s']['median']} s; "
          f"one read of dispatch's board: {figures['one_board_read_s']} s")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
