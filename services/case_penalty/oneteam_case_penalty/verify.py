"""`python -m oneteam_case_penalty.verify <tenant>`: check a tenant's trail from the command line.

Exit status 0 when the hash chain holds, 1 with the first entry that breaks it; for the
procuratorate's or an auditor's own check, independent of the HTTP API.
"""

from __future__ import annotations

import asyncio
import sys

from oneteam_case_penalty.domain.trail import verify
from oneteam_case_penalty.settings import CasePenaltySettings
from oneteam_case_penalty.store import trail as trail_store
from oneteam_servicekit.db import make_engine, make_sessions


async def check(database_url: str, tenant: str) -> tuple[int, int | None]:
    """How many entries the tenant's trail has, and the seq of the first broken one (None: intact)."""
    engine = make_engine(database_url)
    try:
        async with make_sessions(engine)() as session:
            entries = await trail_store.entries(session, tenant)
    finally:
        await engine.dispose()
    return len(entries), verify(entries)


def main(argv: list[str]) -> int:
    """Print the verdict and return the exit status."""
    if len(argv) != 1:
        print("usage: python -m oneteam_case_penalty.verify <tenant>", file=sys.stderr)
        return 2
    count, broken = asyncio.run(check(CasePenaltySettings().database_url, argv[0]))
    if broken is None:
        print(f"trail of {argv[0]}: {count} entries, intact")
        return 0
    print(f"trail of {argv[0]}: {count} entries, broken at seq {broken}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
