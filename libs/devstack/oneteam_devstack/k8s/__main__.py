"""`python -m oneteam_devstack.k8s [--check]`: regenerate deploy/k8s, or check it is up to date."""

from __future__ import annotations

import argparse
import sys

from oneteam_devstack.k8s.render import stale, write


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m oneteam_devstack.k8s", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report files that differ (exit 1)")
    arguments = parser.parse_args()
    if arguments.check:
        different = stale()
        for path in different:
            print(f"deploy/k8s/{path} differs from the generator's output; run `python -m oneteam_devstack.k8s`")
        return 1 if different else 0
    for path in write():
        print(f"wrote deploy/k8s/{path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
