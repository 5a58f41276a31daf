"""Reading projects: filters, the SQL they become, distances, rows back to Project objects.

Filters are SQL on indexed columns (territory codes with status, theme and category tables).
Text search compares normalised words (:func:`geo.text.search_words`) with ``LIKE '%word%'``
on ``search_text``: PostgreSQL answers from its pg_trgm index, SQLite takes the matching ids
from the FTS5 trigram table when migration 0003 could create it. Box and distance
(``spatial=True``, PostgreSQL): PostGIS in the database (:mod:`geo.store.spatial`); on SQLite
a lat/lon box in SQL (lat/lon index), then exact haversine in numpy.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.projects.model import Carrier, Lesson, Project
from geo.store import spatial
from geo.store.db import (
    communs,
    project_actors,
    project_categories,
    project_commons,
    project_themes,
    projects,
)
from geo.territory import TerritoryRef
from geo.text import search_words

EARTH_RADIUS_KM = 6371.0088
#: Columns read back into a Project (the token hash, the search text and the moderation state
#: never leave the store as project fields).
_INTERNAL = ("token_hash", "search_text", "hidden", "merged_into")
PROJECT_COLUMNS = [c.name for c in projects.columns if c.name not in _INTERNAL]


def commun_projects(commun_id: int, relation: str = "reuses") -> Any:
    """SQL: the ids of the projects linked to a commun — its address or its wiki page among
    their commons URLs (:mod:`geo.store.links`); ``relation`` ``reuses`` or ``produces``."""
    keys = [communs.c.url_key, communs.c.page_key]
    match = sa.or_(*[
        project_commons.c.url_key.in_(
            sa.select(k).where(communs.c.id == int(commun_id), k.is_not(None)))
        for k in keys
    ])  # fmt: skip
    return sa.select(project_commons.c.project_id).where(
        project_commons.c.relation == relation, match
    )


_FTS = sa.table("projects_fts", sa.column("rowid", sa.Integer), sa.column("search_text"))


@dataclass(frozen=True)
class ProjectFilter:
    """What to select; every criterion is optional and they combine with AND.

    ``territory`` is a :class:`~geo.territory.TerritoryRef` at any level (resolved by the
    caller: :meth:`Territories.resolve` maps an old commune code to the current one);
    ``themes``/``categories``/``stages``/``statuses`` match any of the given values
    (``statuses=None`` means every status);
    ``text`` matches every word in title, summary and carrier names, ignoring case and
    accents; ``bbox`` is ``(min_lon, min_lat, max_lon, max_lat)``; ``near`` is
    ``(lat, lon, radius_km)``; ``source`` with ``external_ids`` finds imported projects;
    ``commun`` keeps the projects reusing that commun (by its id), ``actor`` those the actor
    carries or partners.
    A project hidden by visitors' reports (until a moderator decides) is left out unless
    ``include_hidden``.
    """

    territory: TerritoryRef | None = None
    themes: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    statuses: tuple[str, ...] | None = None
    text: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    near: tuple[float, float, float] | None = None
    source: str | None = None
    external_ids: tuple[str, ...] | None = None
    include_hidden: bool = False
    commun: int | None = None
    actor: int | None = None


@dataclass(frozen=True)
class QueryResult:
    items: list[Project]
    total: int
    limit: int
    offset: int
    distances_km: dict[int, float] = field(default_factory=dict)


def select_rows(
    connection: Connection,
    where: list[Any],
    *,
    order_by: list[Any] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    columns = [projects.c[name] for name in PROJECT_COLUMNS]
    query = sa.select(*columns).where(*where)
    if order_by:
        query = query.order_by(*order_by)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [dict(row) for row in connection.execute(query).mappings().all()]


def to_project(row: Mapping[str, Any]) -> Project:
    """A stored row back as a Project, without validating again: rows were validated on the
    way in, and a vocabulary that changed since must not make old projects unreadable."""
    data = dict(row)
    for name in ("carriers", "partners"):
        data[name] = [Carrier.model_construct(**c) for c in data.get(name) or []]
    data["lessons"] = [
        Lesson.model_construct(**(lesson | {"date": date.fromisoformat(lesson["date"])}))
        for lesson in data.get("lessons") or []
    ]
    if isinstance(data.get("area"), str):
        data["area"] = json.loads(data["area"])
    for name in ("created_at", "updated_at", "last_confirmed_at"):
        value = data.get(name)
        if isinstance(value, datetime) and value.tzinfo is None:
            data[name] = value.replace(tzinfo=UTC)
    return Project.model_construct(**data)


def where_clauses(
    criteria: ProjectFilter,
    *,
    text_index: bool = False,
    spatial_index: bool = False,
    reading_all: bool = False,
) -> list[Any]:
    """SQL conditions for a filter; ``text_index``: take text matches from ``projects_fts``;
    ``spatial_index``: the box from PostGIS's ``geom``; ``reading_all``: for a query that
    reads every match (a count), where tags are best checked on the rows a text search reads
    anyway (see :func:`_tagged`)."""
    where: list[Any] = []
    if not criteria.include_hidden:
        where.append(projects.c.hidden == sa.false())
    if criteria.territory is not None:
        ref = criteria.territory
        where.append(projects.c[f"code_{ref.level}"] == ref.code)
    if criteria.statuses is not None:
        where.append(projects.c.status.in_(list(criteria.statuses)))
    if criteria.stages:
        where.append(projects.c.stage.in_(list(criteria.stages)))
    words = search_words(criteria.text or "").split()
    read_rows = reading_all and bool(words)
    if criteria.themes:
        tags = project_themes.c.theme
        where.append(_tagged(tags, projects.c.themes, criteria.themes, read_rows=read_rows))
    if criteria.categories:
        tags = project_categories.c.category
        where.append(_tagged(tags, projects.c.categories, criteria.categories, read_rows=read_rows))
    indexed = [w for w in words if len(w) >= 3] if text_index else []
    if indexed:
        # A quoted word is a trigram phrase: it matches any substring, like LIKE '%word%',
        # straight from the index (LIKE on the FTS table re-reads every candidate row).
        phrases = " ".join(f'"{word}"' for word in indexed)
        matches = sa.select(_FTS.c.rowid).where(_FTS.c.search_text.op("MATCH")(phrases))
        where.append(projects.c.id.in_(matches))
    where.extend(projects.c.search_text.like(f"%{w}%") for w in words if w not in indexed)
    if criteria.source is not None:
        where.append(projects.c.source == criteria.source)
    if criteria.external_ids is not None:
        where.append(projects.c.external_id.in_(list(criteria.external_ids)))
    if criteria.bbox is not None:
        box = spatial.in_box if spatial_index else _in_box
        where.append(box(*criteria.bbox))
    if criteria.commun is not None:
        where.append(projects.c.id.in_(commun_projects(criteria.commun)))
    if criteria.actor is not None:
        linked = sa.select(project_actors.c.project_id).where(
            project_actors.c.actor_id == int(criteria.actor)
        )
        where.append(projects.c.id.in_(linked))
    return where


def _tagged(tags: sa.Column, listed: sa.Column, values: Iterable[str], *, read_rows: bool) -> Any:
    """Projects tagged with any of ``values``: from the tag table's index, or, when every
    candidate row is read anyway (``read_rows``: all the matches of a text search, whose
    text is checked on each row), from the row's own JSON list (``["energie", "mobilite"]``),
    cheaper than joining the tag table (a third less for a national text search). Not for a
    page of the newest: the planner cannot tell how many rows the JSON condition keeps, and
    would read them all where walking the newest ids finds a page at once."""
    if not read_rows:
        table = tags.table
        return sa.exists().where(table.c.project_id == projects.c.id, tags.in_(list(values)))
    text = sa.cast(listed, sa.Text)
    return sa.or_(*(text.like(f'%"{_like_escaped(v)}"%', escape="\\") for v in values))


def _like_escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _in_box(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> Any:
    lat = projects.c.lat.between(min(min_lat, max_lat), max(min_lat, max_lat))
    if min_lon <= max_lon:
        return sa.and_(lat, projects.c.lon.between(min_lon, max_lon))
    # A box across the antimeridian (Wallis-et-Futuna, Polynésie seen from the west).
    return sa.and_(lat, sa.or_(projects.c.lon >= min_lon, projects.c.lon <= max_lon))


def within(
    connection: Connection,
    where: list[Any],
    near: tuple[float, float, float],
    *,
    spatial_index: bool = False,
) -> dict[int, float]:
    """``{id: km}`` of the projects within the radius: ``ST_DWithin`` and ``ST_Distance`` with
    ``spatial_index`` (PostGIS), else a box prefilter in SQL, then haversine."""
    lat, lon, radius = (float(v) for v in near)
    if spatial_index:
        km = spatial.distance_km(lat, lon)
        query = sa.select(projects.c.id, km).where(*where, spatial.near(lat, lon, radius))
        return {row[0]: float(row[1]) for row in connection.execute(query)}
    query = sa.select(projects.c.id, projects.c.lat, projects.c.lon).where(
        *where, near_box(lat, lon, radius)
    )
    rows = connection.execute(query).all()
    if not rows:
        return {}
    ids = np.array([r[0] for r in rows])
    distance = haversine_km(
        lat, lon, np.array([r[1] for r in rows]), np.array([r[2] for r in rows])
    )
    keep = distance <= radius
    return dict(zip(ids[keep].tolist(), distance[keep].tolist(), strict=True))


def near_box(lat: float, lon: float, radius_km: float) -> Any:
    """The lat/lon box holding the circle: what SQL can prefilter with the (lat, lon) index."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    cos_lat = max(math.cos(math.radians(min(89.9, abs(lat) + dlat))), 1e-6)
    dlon = dlat / cos_lat
    if dlon >= 180:
        return projects.c.lat.between(lat - dlat, lat + dlat)
    return _in_box(_wrap(lon - dlon), lat - dlat, _wrap(lon + dlon), lat + dlat)


def _wrap(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0


def haversine_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    phi1, phi2 = math.radians(lat), np.radians(lats)
    dphi = phi2 - phi1
    dlmb = np.radians(lons) - math.radians(lon)
    a = np.sin(dphi / 2) ** 2 + math.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
