"""One territory's portrait: header, projects, indicators with comparisons, the neighbours and
their projects; and its JSON form (``python -m geo territory sheet … --json``).

:func:`build_portrait` reads the store (published projects only) and the
:class:`~geo.portrait.context.PortraitContext`; the result is plain data that the page, the
sheet (:mod:`geo.portrait.sheet`) and the command line all show the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import geopandas as gpd
import shapely

from geo.datasets.catalogue import CATALOGUE
from geo.indicators import REASON_NOT_LOADED, SourceInfo
from geo.portrait.context import PortraitContext
from geo.portrait.figures import Indicator, Place, indicator_rows
from geo.portrait.projects import ProjectLine, Projects, neighbour_projects, projects_here
from geo.store import ProjectStore
from geo.territory import LEVEL_LABELS, TerritoryRef
from geo.text import french_number

#: The populations of the COG files (``@etalab/decoupage-administratif`` 6.0.0, built from
#: INSEE's "populations légales 2023", in force on 1 January 2026; Mayotte: 2017).
POPULATION_YEAR = 2023
POPULATION_NOTE = (
    f"population municipale {POPULATION_YEAR} (INSEE, populations légales en vigueur au "
    "1er janvier 2026, code officiel géographique 2026)"
)
#: Plural names of the levels, for the groups of comparison.
LEVEL_PLURALS = {
    "commune": "communes",
    "epci": "intercommunalités (EPCI)",
    "departement": "départements",
    "region": "régions",
}
#: The reference files' own sources (manifest names), shown beside the datasets'.
REFERENCE_SOURCES = {
    "cog-communes": (
        "Code officiel géographique (COG) 2026, INSEE, via @etalab/decoupage-administratif 6.0.0"
    ),
    "contours-communes": "Contours administratifs (IGN ADMIN EXPRESS, Etalab)",
}


@dataclass(frozen=True)
class SourceLine:
    """A source as the portrait cites it."""

    title: str
    producer: str
    licence: str
    attribution: str
    date_text: str
    loaded: bool = True
    reason: str | None = None
    url: str | None = None
    #: A source of the territory reference itself (COG, outlines), not a dataset.
    reference: bool = False


@dataclass(frozen=True)
class Portrait:
    place: Place
    parents: tuple[Place, ...]
    population: int | None
    area_km2: float | None
    communes: int
    communes_loaded: int
    neighbours: tuple[Place, ...]
    peers_label: str
    projects: Projects
    neighbour_projects: tuple[ProjectLine, ...]
    neighbour_projects_total: int
    indicators: tuple[Indicator, ...]
    sources: tuple[SourceLine, ...]
    edition: date
    #: Display outlines (EPSG:4326) of the territory and of its neighbours (for the maps).
    outline: shapely.Geometry | None
    neighbour_outlines: gpd.GeoDataFrame

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.place.level]

    @property
    def ref(self) -> TerritoryRef:
        return TerritoryRef(self.place.level, self.place.code)

    @property
    def parent(self) -> Place | None:
        return self.parents[0] if self.parents else None

    def population_text(self) -> str:
        if self.population is None:
            return "population non disponible"
        return f"{french_number(self.population)} habitants ({POPULATION_NOTE})"

    def area_text(self) -> str:
        if self.area_km2 is None:
            return "superficie non disponible (contour absent des données chargées)"
        return f"{french_number(self.area_km2)} km²"

    def indicator(self, indicator_id: str) -> Indicator:
        return next(i for i in self.indicators if i.id == indicator_id)

    def dataset_sources(self) -> list[SourceLine]:
        """The sources of the datasets (not of the reference), in catalogue order."""
        return [s for s in self.sources if not s.reference]

    def to_json(self) -> dict[str, Any]:
        """The figures as the command line prints them (see the README for the shape)."""
        return {
            "territory": {
                **self.place.to_dict(),
                "level_label": self.level_label,
                "population": self.population,
                "population_year": POPULATION_YEAR,
                "area_km2": self.area_km2,
                "communes": self.communes,
                "parents": [p.to_dict() for p in self.parents],
            },
            "projects": {
                "total": self.projects.total,
                "by_theme": self.projects.by_theme,
                "by_category": self.projects.by_category,
                "by_stage": self.projects.by_stage,
                "items": [line.to_dict() for line in self.projects.lines],
            },
            "indicators": [_indicator_json(i) for i in self.indicators],
            "neighbours": [p.to_dict() for p in self.neighbours],
            "neighbour_projects": {
                "total": self.neighbour_projects_total,
                "items": [line.to_dict() for line in self.neighbour_projects],
            },
            "population_class": self.peers_label,
            "sources": [s.__dict__ for s in self.sources],
            "edition": self.edition.isoformat(),
        }


def _compared_json(compared: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"value": compared.value, "per_10k": compared.per_10k}
    if compared.place is not None:
        data = {**compared.place.to_dict(), **data}
    return data


def _indicator_json(indicator: Indicator) -> dict[str, Any]:
    source: SourceInfo = indicator.source
    neighbours, peers = indicator.neighbours, indicator.peers
    return {
        "id": indicator.id,
        "dataset": indicator.dataset,
        "label": indicator.label,
        "category": indicator.category,
        "unit": indicator.unit,
        "value": indicator.value,
        "per_10k": indicator.per_10k,
        "source": source.title,
        "producer": source.producer,
        "licence": source.licence,
        "attribution": source.attribution,
        "date": source.data_date.isoformat() if source.data_date else None,
        "date_text": source.date_text,
        "reason": indicator.reason,
        "parent": _compared_json(indicator.parent) if indicator.parent else None,
        "national": {**_compared_json(indicator.national), "communes": indicator.national_communes},
        "neighbours": [_compared_json(m) for m in neighbours.members],
        # The ranks the page and the sheet show (None where they say there is none).
        "rank_among_neighbours": neighbours.rank,
        "neighbours_ranked": neighbours.of,
        "rank_among_neighbours_per_10k": neighbours.rank_per_10k,
        "rank_among_neighbours_text": neighbours.by_per_10k.cell(),
        "no_rank_reason": neighbours.by_value.reason,
        "no_rank_reason_per_10k": neighbours.by_per_10k.reason,
        "population_class": {
            "label": peers.label,
            "count": peers.count,
            "rank": peers.rank,
            "ranked": peers.of,
            "rank_per_10k": peers.rank_per_10k,
            "no_rank_reason_per_10k": peers.by_per_10k.reason,
            "median": peers.median,
            "median_per_10k": peers.median_per_10k,
        },
    }


def _area_km2(context: PortraitContext, level: str, code: str) -> tuple[float | None, Any]:
    """Area from the exact outline (equal-area projection centred on it), and that outline;
    a level without its outline is the union of its communes when they are all loaded."""
    territories = context.territories
    exact = territories.exact_outlines(level, [code])
    if exact.empty and level != "commune":
        codes = territories.communes_in(level, code)
        if codes and set(codes) <= territories.loaded_communes:
            exact = territories.exact_outlines("commune", codes)
    if exact.empty:
        return None, None
    shape = exact.geometry.union_all() if len(exact) > 1 else exact.geometry.iloc[0]
    point = shape.representative_point()
    crs = f"+proj=laea +lat_0={point.y:.6f} +lon_0={point.x:.6f} +datum=WGS84 +units=m"
    area = float(gpd.GeoSeries([shape], crs=4326).to_crs(crs).area.iloc[0]) / 1e6
    return round(area, 1), shape


def peers_label(context: PortraitContext, level: str, code: str, population: int | None) -> str:
    """``"communes de 2 000 à 5 000 habitants en Auvergne-Rhône-Alpes"``."""
    plural = LEVEL_PLURALS[level]
    klass = context.population_class(level, population)
    if level == "region" or klass is None:
        return f"{plural} de France" if level == "region" else f"{plural} (population inconnue)"
    low, high = klass
    if high == float("inf"):
        size = f"de {french_number(low)} habitants et plus"
    elif low == 0:
        size = f"de moins de {french_number(high)} habitants"
    else:
        size = f"de {french_number(low)} à {french_number(high)} habitants"
    where = "en France"
    if level in ("commune", "epci"):
        region = context.regions(level).get(code)
        if region is not None and context.territories.exists("region", str(region)):
            where = f"en {context.territories.nom('region', str(region))}"
    return f"{plural} {size} {where}"


def _sources(context: PortraitContext) -> tuple[SourceLine, ...]:
    lines = []
    for name, title in REFERENCE_SOURCES.items():
        entry = context.manifest.get(name, {})
        fetched = str(entry.get("fetched_at", ""))[:10]
        when = "date de téléchargement inconnue"
        if fetched:
            when = f"téléchargé le {fetched[8:10]}/{fetched[5:7]}/{fetched[0:4]}"
        lines.append(
            SourceLine(
                title=title,
                producer=str(entry.get("producer", "INSEE, IGN, Etalab")),
                licence=str(entry.get("licence", "Licence Ouverte 2.0")),
                attribution=f"Source : {title}, Licence Ouverte 2.0",
                date_text=when,
                reference=True,
            )
        )
    for dataset in CATALOGUE.values():
        source = context.source(dataset)
        loaded = context.loaded(dataset)
        reason = None
        if not loaded:
            reason = REASON_NOT_LOADED
            if dataset.id in context.problems:
                reason += f" ({context.problems[dataset.id]})"
        lines.append(
            SourceLine(
                title=dataset.title,
                producer=dataset.producer,
                licence=dataset.licence.name,
                attribution=dataset.licence.attribution,
                date_text=source.date_text if loaded else "non chargé",
                loaded=loaded,
                reason=reason,
                url=dataset.page_url,
            )
        )
    return tuple(lines)


def build_portrait(
    ref: TerritoryRef,
    *,
    context: PortraitContext,
    store: ProjectStore,
    today: date | None = None,
) -> Portrait:
    """The portrait of ``ref`` (resolved: :meth:`Territories.parse` gives the current code)."""
    territories = context.territories
    level, code = ref.level, territories.resolve(ref.level, ref.code).code
    place = Place(level, code, territories.nom(level, code))
    chain = territories.chain(level, code)
    parents = tuple(Place(*link) for link in chain[1:])
    population = territories.population(level, code)
    communes = territories.communes_in(level, code)
    neighbour_codes = territories.neighbours(level, code)
    neighbours = tuple(Place(level, c, territories.nom(level, c)) for c in neighbour_codes)
    peer_codes = context.peers(level, code, population)
    peer_names = territories.names(level, peer_codes)
    peers = [Place(level, c, str(n)) for c, n in zip(peer_codes, peer_names, strict=True)]
    label = peers_label(context, level, code, population)
    area, exact = _area_km2(context, level, code)
    outline = territories.outline(level, code)
    rows = indicator_rows(
        context,
        level,
        code,
        parent=parents[0] if parents else None,
        neighbours=neighbours,
        peers=peers,
        peers_label=label,
    )
    here = projects_here(store, territories, TerritoryRef(level, code))
    around, total = neighbour_projects(
        store,
        territories,
        [(p.level, p.code, p.nom) for p in neighbours],
        exact if exact is not None else outline,
    )
    return Portrait(
        place=place,
        parents=parents,
        population=population,
        area_km2=area,
        communes=len(communes),
        communes_loaded=len(set(communes) & territories.loaded_communes),
        neighbours=neighbours,
        peers_label=label,
        projects=here,
        neighbour_projects=tuple(around),
        neighbour_projects_total=total,
        indicators=tuple(rows),
        sources=_sources(context),
        edition=today or date.today(),
        outline=outline,
        neighbour_outlines=territories.display_outlines(level, neighbour_codes),
    )
