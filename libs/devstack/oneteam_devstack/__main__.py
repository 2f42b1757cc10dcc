"""`python -m oneteam_devstack run`: the whole suite in the foreground until Ctrl-C.

`python -m oneteam_devstack token --role commander` prints a development bearer token.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from oneteam_devstack.stack import Stack


def main() -> None:
    """Command-line entry."""
    parser = argparse.ArgumentParser(prog="oneteam-dev")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="the whole suite in the foreground")
    run.add_argument("--data-dir", default=os.environ.get("ONETEAM_DATA_DIR", ".data"))
    run.add_argument("--workers", action="append", default=[], metavar="SERVICE=N", type=_workers,
                     help="run SERVICE as N worker processes behind its port, e.g. dispatch=2; repeatable")
    token = commands.add_parser("token", help="print a development bearer token (JWT_SECRET)")
    token.add_argument("--role", action="append", required=True,
                       help="citizen, grid_worker, officer, commander or admin; repeatable")
    token.add_argument("--tenant", default="330106004",
                       help="the tenant the token is for (default: the demo tenant, Cuiyuan)")
    token.add_argument("--all-tenants", action="store_true",
                       help="a platform-wide admin token naming no tenant (role admin only)")
    token.add_argument("--subject", default=None)
    token.add_argument("--officer", default=None, help="officer id, for an officer's token")
    args = parser.parse_args()
    if args.command == "token":
        if args.all_tenants and args.role != ["admin"]:
            parser.error("--all-tenants is for the admin role alone; staff tokens name their tenant")
        print(_token(args.role, None if args.all_tenants else args.tenant, args.subject, args.officer))
        return
    roster = Path("services/dispatch/oneteam_dispatch/config/330106004/officers.yaml")
    demo = {"DISPATCH_ROSTER_FILE": str(roster.resolve())} if roster.exists() else {}
    stack = Stack(Path(args.data_dir), extra_env={**demo, **_explicit_env()}, workers=dict(args.workers))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        print("starting PostgreSQL and the broker ...", flush=True)
        stack.start_infra()
        assert stack.postgres is not None
        print(f"  postgres  {stack.postgres.url('<service>', 'postgresql')}")
        print(f"  kafka     {stack.bootstrap_servers}" + ("  (embedded Tansu)" if stack.broker else ""))
        from oneteam_devstack.stack import SERVICES

        for spec in SERVICES:
            url = stack.start_service(spec)
            print(f"  {spec.name:<9} {url}   OpenAPI: {url}/docs", flush=True)
        print(f"logs in {Path(args.data_dir).resolve() / 'logs'}; Ctrl-C stops everything", flush=True)
        while all(p.poll() is None for p in stack.processes.values()):
            time.sleep(0.5)
        print("a service exited; stopping", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("\nstopping ...", flush=True)
    finally:
        stack.stop()


def _token(roles: list[str], tenant: str | None, subject: str | None, officer: str | None) -> str:
    from oneteam_servicekit import ServiceSettings
    from oneteam_servicekit.auth import issue_token

    return issue_token(ServiceSettings(), subject or officer or f"dev-{roles[0]}", roles, tenant=tenant,
                       officer_id=officer)


def _workers(value: str) -> tuple[str, int]:
    from oneteam_devstack.stack import SERVICES

    name, _, count = value.partition("=")
    if name not in {spec.name for spec in SERVICES} or not count.isdigit() or int(count) < 1:
        raise argparse.ArgumentTypeError(f"{value!r}: expected SERVICE=N with N ≥ 1, e.g. dispatch=2")
    return name, int(count)


def _explicit_env() -> dict[str, str]:
    # A roster named in the environment wins over the demo one.
    return {k: v for k, v in os.environ.items() if k == "DISPATCH_ROSTER_FILE"}


if __name__ == "__main__":
    main()
