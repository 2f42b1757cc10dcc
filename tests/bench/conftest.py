"""The benchmark folder's tests (the simulator's unit ring: no servers, no broker).

The scripts here run with this folder on sys.path and import `sim` and `bench_stats` from
it; tests get the same path, set here before any test module of the folder is imported.
"""

import sys
from pathlib import Path

BENCH = str(Path(__file__).resolve().parent)
if BENCH not in sys.path:
    sys.path.insert(0, BENCH)
