"""The published projects of a territory and of its neighbours: counts by theme, category and
stage, and the neighbours' projects nearest first (distance from the territory's outline).

Only published projects are public (:data:`geo.explorer.selection.PUBLIC_STATUSES`).
Distances are measured in an azimuthal equidistant projection centred on the territory, so
they are right anywhere in France (metropolitan or overseas).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.explorer.selection import PUBLIC_STATUSES
from geo.projects.model import STAGES, THEMES, carriers_text, categories
from geo.store import ProjectFilter, ProjectStore
from geo.territory import Territories, TerritoryRef

#: How many of the neighbours' projects a portrait lists (nearest first).
NEIGHBOUR_PROJECTS_LIMIT = 50


@dataclass(frozen=True)
class ProjectLine:
    """One project as a portrait lists it (user text kept as typed: escaped where shown)."""

    id: int
    title: str
    stage: str
    themes: tuple[str, ...]
    categories: tuple[str, ...]
    carriers: str
    lat: float
    lon: float
    commune: str | None
    #: For a neighbour's project: the neighbour it is in, and its distance in km.
    territory: str | None = None
    distance_km: float | None = None

    @property
    def stage_label(self) -> str:
        return STAGES.get(self.stage, self.stage)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "stage": self.stage,
            "themes": list(self.themes),
            "categories": list(self.categories),
            "carriers": self.carriers,
            "lat": self.lat,
            "lon": self.lon,
            "commune": self.commune,
            **({"territory": self.territory} if self.territory is not None else {}),
            **({"distance_km": self.distance_km} if self.distance_km is not None else {}),
        }


@dataclass(frozen=True)
class Projects:
    lines: tuple[ProjectLine, ...]
    by_theme: dict[str, int]
    by_category: dict[str, int]
    by_stage: dict[str, int]

    @property
    def total(self) -> int:
        return len(self.lines)


def _lines(frame: pd.DataFrame, territories: Territories) -> list[ProjectLine]:
    if frame.empty:
        return []
    communes = territories.names("commune", frame["code_commune"].tolist())
    return [
        ProjectLine(
            id=int(row.id),
            title=str(row.title),
            stage=str(row.stage),
            themes=tuple(row.themes or ()),
            categories=tuple(row.categories or ()),
            carriers=carriers_text(row.carriers),
            lat=float(row.lat),
            lon=float(row.lon),
            commune=commune,
        )
        for row, commune in zip(frame.itertuples(index=False), communes, strict=True)
    ]


def _counts(lines: Sequence[ProjectLine], attribute: str, vocabulary: Sequence[str]) -> dict:
    counts = dict.fromkeys(vocabulary, 0)
    for line in lines:
        values = getattr(line, attribute)
        for value in values if isinstance(values, tuple) else (values,):
            counts[value] = counts.get(value, 0) + 1
    return counts


def projects_here(store: ProjectStore, territories: Territories, ref: TerritoryRef) -> Projects:
    """The published projects of a territory, newest first, with their counts."""
    frame = store.all_frame(ProjectFilter(territory=ref, statuses=PUBLIC_STATUSES))
    lines = _lines(frame, territories)
    return Projects(
        lines=tuple(lines),
        by_theme=_counts(lines, "themes", list(THEMES)),
        by_category=_counts(lines, "categories", list(categories())),
        by_stage=_counts(lines, "stage", list(STAGES)),
    )


def local_projection(geometry: shapely.Geometry) -> str:
    """An azimuthal equidistant projection centred on ``geometry`` (PROJ string)."""
    point = geometry.representative_point() if not geometry.is_empty else shapely.Point(0, 0)
    return f"+proj=aeqd +lat_0={point.y:.6f} +lon_0={point.x:.6f} +datum=WGS84 +units=m"


def distances_km(outline: shapely.Geometry | None, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Distance in km from ``outline`` (0 inside it) of each point; NaN without an outline."""
    if outline is None or outline.is_empty or len(lat) == 0:
        return np.full(len(lat), np.nan)
    crs = local_projection(outline)
    shape = gpd.GeoSeries([outline], crs=4326).to_crs(crs).iloc[0]
    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326).to_crs(crs)
    return np.asarray(points.distance(shape), dtype=float) / 1000.0


@dataclass(frozen=True)
class LessonLine:
    """A lesson learned by a neighbour's project ("ce que les voisins ont appris")."""

    project: ProjectLine
    worked: str
    hard: str
    differently: str
    date: str


def neighbour_lessons(
    store: ProjectStore, lines: Sequence[ProjectLine], *, limit: int = 10
) -> list[LessonLine]:
    """The lessons learned of these projects (the neighbours', nearest first), newest first
    within a project, at most ``limit``."""
    if not lines:
        return []
    frame = store.all_frame(ProjectFilter(statuses=PUBLIC_STATUSES))
    lessons = dict(zip(frame["id"].tolist(), frame["lessons"].tolist(), strict=True))
    found: list[LessonLine] = []
    for line in lines:
        items = [item for item in lessons.get(line.id) or [] if isinstance(item, dict)]
        for item in sorted(items, key=lambda item: str(item.get("date")), reverse=True):
            found.append(LessonLine(line, str(item.get("worked") or ""),
                                    str(item.get("hard") or ""),
                                    str(item.get("differently") or ""),
                                    str(item.get("date") or "")))  # fmt: skip
    return found[:limit]


def neighbour_projects(
    store: ProjectStore,
    territories: Territories,
    neighbours: Sequence[tuple[str, str, str]],
    outline: shapely.Geometry | None,
    *,
    limit: int = NEIGHBOUR_PROJECTS_LIMIT,
) -> tuple[list[ProjectLine], int]:
    """The published projects of the neighbours ``(level, code, nom)``, nearest first, at most
    ``limit``; and how many there are in all."""
    frames, names = [], []
    for level, code, nom in neighbours:
        frame = store.all_frame(
            ProjectFilter(territory=TerritoryRef(level, code), statuses=PUBLIC_STATUSES)
        )
        if not frame.empty:
            frames.append(frame)
            names += [nom] * len(frame)
    if not frames:
        return [], 0
    frame = pd.concat(frames, ignore_index=True)
    frame["_neighbour"] = names
    frame = frame.drop_duplicates("id")
    distance = distances_km(outline, frame["lat"].to_numpy(float), frame["lon"].to_numpy(float))
    frame["_distance"] = distance
    frame = frame.sort_values(["_distance", "_neighbour", "id"], na_position="last")
    total = len(frame)
    frame = frame.head(limit)
    lines = _lines(frame, territories)
    return [
        replace(
            line,
            territory=neighbour,
            distance_km=None if np.isnan(km) else round(float(km), 1),
        )
        for line, neighbour, km in zip(lines, frame["_neighbour"], frame["_distance"], strict=True)
    ], total
