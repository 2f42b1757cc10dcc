"""Write the demo tenant's districts and grids: synthetic polygons over Cuiyuan's area.

Cuiyuan subdistrict (翠苑街道, Xihu district, Hangzhou, division code 330106004) lies roughly
within lon 120.105–120.145, lat 30.275–30.305 (WGS-84). The real boundary is not public
data, so this draws 8 districts (片区, 4 × 2) of 4 grids (网格, 2 × 2) each over that box,
with interior vertices nudged so the shapes are not all rectangles. The outer edge stays
straight, so tests can name points on the boundary exactly. Deterministic: re-running it
rewrites the same file.

    python services/intake/scripts/make_demo_tenant.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

TENANT = "330106004"
WEST, EAST, SOUTH, NORTH = 120.105, 120.145, 30.275, 30.305
DISTRICT_COLUMNS, DISTRICT_ROWS = 4, 2
GRIDS_PER_SIDE = 2  # each district is GRIDS_PER_SIDE × GRIDS_PER_SIDE grids
JITTER_DEG = 0.0008  # about 80 m: enough to look hand-drawn, far below a grid's ~500 m size
OUT = Path(__file__).resolve().parent.parent / "oneteam_intake" / "config" / "tenants" / f"{TENANT}.geojson"

Vertex = tuple[float, float]


def lattice(columns: int, rows: int, rng: random.Random) -> list[list[Vertex]]:
    """(columns+1) × (rows+1) vertices; interior ones nudged, the outer ring left straight."""
    points: list[list[Vertex]] = []
    for j in range(rows + 1):
        row: list[Vertex] = []
        for i in range(columns + 1):
            lon = WEST + (EAST - WEST) * i / columns
            lat = SOUTH + (NORTH - SOUTH) * j / rows
            if 0 < i < columns and 0 < j < rows:
                lon += rng.uniform(-JITTER_DEG, JITTER_DEG)
                lat += rng.uniform(-JITTER_DEG, JITTER_DEG)
            row.append((round(lon, 6), round(lat, 6)))
        points.append(row)
    return points


def ring(points: list[list[Vertex]], i0: int, j0: int, i1: int, j1: int) -> list[list[float]]:
    """The closed counter-clockwise ring around lattice cells [i0, i1) × [j0, j1)."""
    path = [points[j0][i] for i in range(i0, i1 + 1)]
    path += [points[j][i1] for j in range(j0 + 1, j1 + 1)]
    path += [points[j1][i] for i in range(i1 - 1, i0 - 1, -1)]
    path += [points[j][i0] for j in range(j1 - 1, j0 - 1, -1)]
    return [list(vertex) for vertex in path]


def feature(kind: str, code: str, name: str, coordinates: list[list[float]], **extra: str) -> dict[str, object]:
    return {
        "type": "Feature",
        "properties": {"kind": kind, "code": code, "name": name, **extra},
        "geometry": {"type": "Polygon", "coordinates": [coordinates]},
    }


def main() -> None:
    rng = random.Random(330106004)
    columns, rows = DISTRICT_COLUMNS * GRIDS_PER_SIDE, DISTRICT_ROWS * GRIDS_PER_SIDE
    points = lattice(columns, rows, rng)
    features = [feature("tenant", TENANT, "翠苑街道 (demo)", ring(points, 0, 0, columns, rows))]
    for d_row in range(DISTRICT_ROWS):
        for d_col in range(DISTRICT_COLUMNS):
            number = d_row * DISTRICT_COLUMNS + d_col + 1
            district = f"D{number:02d}"
            i0, j0 = d_col * GRIDS_PER_SIDE, d_row * GRIDS_PER_SIDE
            features.append(feature("district", district, f"第{number}片区",
                                    ring(points, i0, j0, i0 + GRIDS_PER_SIDE, j0 + GRIDS_PER_SIDE)))
            for g_row in range(GRIDS_PER_SIDE):
                for g_col in range(GRIDS_PER_SIDE):
                    g_number = g_row * GRIDS_PER_SIDE + g_col + 1
                    i, j = i0 + g_col, j0 + g_row
                    features.append(feature("grid", f"{district}-G{g_number}", f"第{number}片区第{g_number}网格",
                                            ring(points, i, j, i + 1, j + 1), district=district))
    # One feature per line: diffs stay readable and the file small.
    lines = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features)
    OUT.write_text('{"type":"FeatureCollection","name":"' + TENANT + ' demo districts and grids","features":[\n'
                   + lines + "\n]}\n")
    print(f"wrote {OUT} ({len(features)} features)")


if __name__ == "__main__":
    main()
