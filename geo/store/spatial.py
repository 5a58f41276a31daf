"""Where and how far, asked of PostGIS: the PostgreSQL side of the store's spatial filters.

On PostgreSQL (PostGIS required since migration 0005) the box and "near" filters run in the
database on the generated ``geom`` column: ``geom && ST_MakeEnvelope(…)`` for a box (GiST
index on ``geom``) and ``ST_DWithin`` / ``ST_Distance`` on ``geom::geography`` for a radius
(GiST index on that expression). Distances are on the sphere (``use_spheroid => false``), the
one :func:`geo.store.query.haversine_km` uses on SQLite, so both engines select the same
projects and give the same kilometres. SQLite keeps the portable path of
:mod:`geo.store.query` (lat/lon box in SQL, exact distance in numpy).

The expressions are those the indexes were created on (``projects.geom``, ``CAST(projects.geom
AS geography)``) so that the planner uses them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql.base import ischema_names


class Geography(sa.types.UserDefinedType):
    """PostGIS's ``geography`` type, to write casts (``CAST(x AS geography)``)."""

    cache_ok = True

    def __init__(self, *modifiers: object) -> None:
        self.modifiers = modifiers

    def get_col_spec(self, **_kw: Any) -> str:
        return "geography"


class Geometry(sa.types.UserDefinedType):
    """PostGIS's ``geometry`` type, so that reflecting the ``projects`` table knows it."""

    cache_ok = True

    def __init__(self, *modifiers: object) -> None:  # geometry(Point, 4326) when reflected
        self.modifiers = modifiers

    def get_col_spec(self, **_kw: Any) -> str:
        return "geometry"


ischema_names.setdefault("geometry", Geometry)
ischema_names.setdefault("geography", Geography)

GEOM = sa.literal_column("projects.geom")
GEOGRAPHY = sa.cast(GEOM, Geography())


def _envelope(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> Any:
    return sa.func.ST_MakeEnvelope(min_lon, min_lat, max_lon, max_lat, 4326)


def in_box(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> Any:
    """Points inside the box, edges included; a box whose west edge is east of its east edge
    crosses the antimeridian (Wallis-et-Futuna, Polynésie seen from the west)."""
    south, north = min(min_lat, max_lat), max(min_lat, max_lat)
    if min_lon <= max_lon:
        return GEOM.op("&&")(_envelope(min_lon, south, max_lon, north))
    return sa.or_(
        GEOM.op("&&")(_envelope(min_lon, south, 180.0, north)),
        GEOM.op("&&")(_envelope(-180.0, south, max_lon, north)),
    )


def _geography(lat: float, lon: float) -> Any:
    return sa.cast(sa.func.ST_SetSRID(sa.func.ST_MakePoint(float(lon), float(lat)), 4326),
                   Geography())  # fmt: skip


def near(lat: float, lon: float, radius_km: float) -> Any:
    """Points within ``radius_km`` of the place, on the sphere."""
    return sa.func.ST_DWithin(
        GEOGRAPHY, _geography(lat, lon), float(radius_km) * 1000.0, sa.false()
    )


def distance_km(lat: float, lon: float) -> Any:
    """Distance of each point to the place, in km on the sphere."""
    return sa.func.ST_Distance(GEOGRAPHY, _geography(lat, lon), sa.false()) / 1000.0
