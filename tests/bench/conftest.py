"""The simulator's unit ring: no servers, no broker; `sim` is imported from tests/bench."""

import sys
from pathlib import Path

BENCH = str(Path(__file__).resolve().parents[2])
if BENCH not in sys.path:
    sys.path.insert(0, BENCH)
