"""The demo tenant as a map: Cuiyuan subdistrict (翠苑街道, 330106004), its 8 districts and grids.

Coordinates are WGS-84 degrees; distances use a local flat projection (the area is 4 km
across, where its error is far below the street detour's). The layout is a model, not a
survey: 8 districts (片区) in two rows of four over lon 120.105–120.145, lat 30.275–30.305,
coded and bordering as in dispatch's tenant file (D01..D08), each cut into 3 × 3 grids
(网格), with hotspots where street vending and e-bike parking gather (markets, metro exits,
schools) and the AI cameras watching them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

TENANT = "330106004"
WEST, EAST, SOUTH, NORTH = 120.105, 120.145, 30.275, 30.305
COLUMNS, ROWS = 4, 2
GRIDS_PER_SIDE = 3

_M_PER_DEG_LAT = 6371008.8 * math.pi / 180.0
_M_PER_DEG_LON = _M_PER_DEG_LAT * math.cos(math.radians((SOUTH + NORTH) / 2))

Point = tuple[float, float]  # (lon, lat)


def distance_m(a: Point, b: Point) -> float:
    """Straight-line distance in metres between two nearby points."""
    return math.hypot((a[0] - b[0]) * _M_PER_DEG_LON, (a[1] - b[1]) * _M_PER_DEG_LAT)


def offset(p: Point, east_m: float, north_m: float) -> Point:
    """The point `east_m` east and `north_m` north of `p`."""
    return (p[0] + east_m / _M_PER_DEG_LON, p[1] + north_m / _M_PER_DEG_LAT)


def toward(a: Point, b: Point, fraction: float) -> Point:
    """The point `fraction` of the way from `a` to `b` (0 → a, 1 → b)."""
    f = min(1.0, max(0.0, fraction))
    return (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f)


@dataclass(frozen=True)
class Grid:
    """The smallest area (网格), with how much of the district's trouble it draws."""

    id: str
    district: str
    west: float
    south: float
    east: float
    north: float
    weight: float


@dataclass(frozen=True)
class Hotspot:
    """A place trouble gathers: a market, a metro exit, a school gate; some have a camera."""

    name: str
    district: str
    at: Point
    weight: float
    camera: bool


@dataclass(frozen=True)
class District:
    """A district (片区) with its patrol post, where idle officers return."""

    id: str
    west: float
    south: float
    east: float
    north: float

    @property
    def post(self) -> Point:
        return ((self.west + self.east) / 2, (self.south + self.north) / 2)

    def contains(self, p: Point) -> bool:
        return self.west <= p[0] < self.east and self.south <= p[1] < self.north


@dataclass(frozen=True)
class City:
    """A tenant's districts, grids, hotspots and which districts border which."""

    tenant: str
    districts: tuple[District, ...]
    grids: tuple[Grid, ...]
    hotspots: tuple[Hotspot, ...]
    neighbours: dict[str, frozenset[str]]

    def district_of(self, p: Point) -> str:
        """The district a point lies in (the nearest one for a point just outside)."""
        for d in self.districts:
            if d.contains(p):
                return d.id
        return min(self.districts, key=lambda d: distance_m(d.post, p)).id

    def district(self, district_id: str) -> District:
        return next(d for d in self.districts if d.id == district_id)


# Relative pull of each district: the older residential blocks and the market streets
# (here districts 2, 3 and 6) draw more street-order trouble than the parkland edge.
_DISTRICT_WEIGHT = {1: 0.9, 2: 1.4, 3: 1.3, 4: 0.8, 5: 0.8, 6: 1.3, 7: 1.0, 8: 0.7}

# Hotspots as (district, fraction east, fraction north within it, weight, camera).
_HOTSPOTS = [
    ("farmers_market", 2, 0.5, 0.4, 3.0, True),
    ("metro_exit_west", 1, 0.7, 0.6, 1.5, True),
    ("metro_exit_east", 3, 0.3, 0.5, 2.0, True),
    ("primary_school", 6, 0.4, 0.7, 1.5, True),
    ("night_food_street", 3, 0.7, 0.3, 2.5, True),
    ("hospital_gate", 7, 0.5, 0.5, 1.5, True),
    ("mall_plaza", 6, 0.6, 0.3, 2.0, True),
    ("old_residential_lane", 5, 0.3, 0.6, 1.0, False),
    ("office_park", 4, 0.5, 0.5, 0.8, True),
    ("riverside_path", 8, 0.4, 0.4, 0.6, False),
]


def cuiyuan() -> City:
    """The demo tenant: Cuiyuan subdistrict laid out as 2 × 4 districts of 3 × 3 grids."""
    width = (EAST - WEST) / COLUMNS
    height = (NORTH - SOUTH) / ROWS
    districts = []
    grids = []
    for row in range(ROWS):
        for column in range(COLUMNS):
            number = row * COLUMNS + column + 1
            d = District(f"D{number:02d}", WEST + column * width, SOUTH + row * height,
                         WEST + (column + 1) * width, SOUTH + (row + 1) * height)
            districts.append(d)
            gw, gh = width / GRIDS_PER_SIDE, height / GRIDS_PER_SIDE
            for gy in range(GRIDS_PER_SIDE):
                for gx in range(GRIDS_PER_SIDE):
                    grids.append(Grid(f"{d.id}-g{gy * GRIDS_PER_SIDE + gx + 1}", d.id,
                                      d.west + gx * gw, d.south + gy * gh, d.west + (gx + 1) * gw,
                                      d.south + (gy + 1) * gh, _DISTRICT_WEIGHT[number]))
    hotspots = []
    for name, number, fx, fy, weight, camera in _HOTSPOTS:
        d = districts[number - 1]
        hotspots.append(Hotspot(name, d.id, (d.west + fx * (d.east - d.west), d.south + fy * (d.north - d.south)),
                                weight, camera))
    # Districts sharing an edge are neighbours: the ones dispatch may widen to.
    neighbours: dict[str, frozenset[str]] = {}
    for i, d in enumerate(districts):
        row, column = divmod(i, COLUMNS)
        around = [(row, column - 1), (row, column + 1), (row - 1, column), (row + 1, column)]
        neighbours[d.id] = frozenset(districts[r * COLUMNS + c].id for r, c in around
                                     if 0 <= r < ROWS and 0 <= c < COLUMNS)
    return City(TENANT, tuple(districts), tuple(grids), tuple(hotspots), neighbours)
