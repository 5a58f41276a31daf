"""The portrait's figures on the real mirror, recomputed here by hand from the published files
(BNLC rows, commune and EPCI outlines, COG populations) with pandas and shapely."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from reference import COMMUNE_OUTLINES, EPCI_OUTLINES, MIRROR, cog_rows, territories

from geo.datasets import CATALOGUE, load_dataset
from geo.indicators import REASON_NOT_COVERED, REASON_NOT_LOADED
from geo.portrait import PortraitContext, build_portrait
from geo.portrait.context import POPULATION_CLASSES
from geo.store import ProjectStore
from geo.store.identity import Operator
from geo.territory import TerritoryRef

BNLC = (
    MIRROR / "raw.githubusercontent.com/etalab/transport-base-nationale-covoiturage/main/bnlc-.csv"
)
METRO = "200040715"  # Grenoble-Alpes-Métropole
OPERATOR = Operator("essai-portrait")


# --- by hand ------------------------------------------------------------------------------------


def members(epci: str) -> list[str]:
    return next(r for r in cog_rows("epci") if r["code"] == epci)["membres"]


def member_codes(epci: str) -> list[str]:
    return [m["code"] for m in members(epci)]


def commune_population(code: str) -> int:
    rows = cog_rows("communes")
    return next(r["population"] for r in rows if r["code"] == code and "chefLieu" not in r)


@cache
def commune_outlines() -> gpd.GeoDataFrame:
    return gpd.read_file(COMMUNE_OUTLINES)[["code", "geometry"]]


@cache
def bnlc_points() -> gpd.GeoDataFrame:
    """The BNLC rows as published, placed at their own ``Xlong``/``Ylat``."""
    with BNLC.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["Xlong"] and r["Ylat"]]
    places = [int(r["nbre_pl"]) if r["nbre_pl"] else None for r in rows]
    points = gpd.points_from_xy([float(r["Xlong"]) for r in rows], [float(r["Ylat"]) for r in rows])
    frame = gpd.GeoDataFrame({"places": places}, geometry=points, crs=4326)
    frame["places"] = frame["places"].astype("Float64")
    return frame


def places_in(communes: list[str]) -> tuple[int, int]:
    """(places, lieux) of the BNLC rows whose point falls in these communes' outlines."""
    outlines = commune_outlines()
    area = shapely.union_all(outlines[outlines["code"].isin(communes)].geometry.to_numpy())
    inside = bnlc_points()[bnlc_points().intersects(area)]
    return int(inside["places"].sum()), len(inside)


# --- the portrait ---------------------------------------------------------------------------------


@cache
def context() -> PortraitContext:
    t = territories()
    frames = {
        "covoiturage": load_dataset(CATALOGUE["covoiturage"], BNLC, territories=t, schema=None)
    }
    return PortraitContext(t, frames, problems={"irve": "fichier absent du cache"})


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ProjectStore:
    store = ProjectStore(
        f"sqlite:///{tmp_path_factory.mktemp('portrait') / 'projets.sqlite'}",
        locate=territories(),
    )
    base = {"themes": ["energie"], "categories": ["solaire"], "stage": "en_service"}
    rows = [
        {**base, "title": "Toits de Grenoble", "lat": 45.1885, "lon": 5.7245,
         "carriers": [{"name": "Coopérative <b>solaire</b>", "type": "cooperative"}]},
        {**base, "title": "Vélos d'Échirolles", "themes": ["mobilite"], "categories": ["velo"],
         "stage": "idee", "lat": 45.1436, "lon": 5.7184},
        {**base, "title": "Chaleur de Crolles", "lat": 45.2849, "lon": 5.8836},  # Grésivaudan
        {**base, "title": "Bois de Voiron", "lat": 45.3640, "lon": 5.5897},  # Pays Voironnais
        {**base, "title": "Loin : Bourgoin", "lat": 45.5869, "lon": 5.2736},  # CAPI
    ]  # fmt: skip
    for number, row in enumerate(rows):
        row["external_id"] = f"p{number}"
        row["source"] = "essai-portrait"
    results = store.add_many(rows, actor=OPERATOR, status="publie")
    assert all(r.action == "created" for r in results), [r.errors for r in results]
    # A proposed project is not public: it must not be counted anywhere.
    store.add({**base, "title": "Pas encore publié", "lat": 45.19, "lon": 5.73}, actor="essai")
    return store


def test_carpool_places_of_the_metropole_from_the_bnlc_rows_in_its_communes(store) -> None:
    portrait = build_portrait(TerritoryRef("epci", METRO), context=context(), store=store)
    places, lieux = places_in(member_codes(METRO))
    assert places > 0 and lieux > 0
    figure = portrait.indicator("covoiturage.places")
    assert figure.value == places
    assert portrait.indicator("covoiturage.lieux").value == lieux
    population = sum(commune_population(code) for code in member_codes(METRO))
    assert portrait.population == population
    assert figure.per_10k == pytest.approx(places / population * 10_000, abs=1e-3)
    assert figure.unit == "places" and figure.source.licence == "ODbL 1.0"
    # The parent is Isère: its places from the rows in its 512 communes.
    isere = [c for c in commune_outlines()["code"] if c.startswith("38")]
    assert figure.parent.place.code == "38"
    assert figure.parent.value == places_in(isere)[0]
    # France = every loaded commune (Isère + Paris), per 10,000 of their population.
    national = places_in(list(commune_outlines()["code"]))[0]
    assert figure.national.value == national
    # Its population: the loaded communes whose places are known (a commune whose every row
    # leaves nbre_pl empty has an unknown figure, not 0).
    joined = gpd.sjoin(bnlc_points(), commune_outlines(), predicate="intersects")
    unknown = set(
        joined.groupby("code")["places"].apply(lambda v: v.isna().all()).pipe(lambda s: s[s].index)
    )
    assert unknown  # the mirror has such communes
    people = sum(commune_population(c) for c in commune_outlines()["code"] if c not in unknown)
    assert figure.national.per_10k == pytest.approx(national / people * 10_000, rel=1e-6)
    assert figure.national_communes == len(commune_outlines()) - len(unknown)


def test_neighbours_are_the_epci_whose_outlines_touch_it(store) -> None:
    portrait = build_portrait(TerritoryRef("epci", METRO), context=context(), store=store)
    epci = gpd.read_file(EPCI_OUTLINES)
    metro = epci.loc[epci["code"] == METRO, "geometry"].iloc[0]
    touching = set(epci.loc[epci.intersects(metro) & (epci["code"] != METRO), "code"])
    assert {p.code for p in portrait.neighbours} == touching and len(touching) >= 5
    # Each neighbour's figure and the rank, by hand.
    figure = portrait.indicator("covoiturage.places")
    by_hand = {code: places_in(member_codes(code))[0] for code in touching}
    assert {m.place.code: m.value for m in figure.neighbours.members} == by_hand
    own = places_in(member_codes(METRO))[0]
    assert figure.neighbours.rank == 1 + sum(v > own for v in by_hand.values())
    assert figure.neighbours.of == len(touching) + 1
    per_10k = {
        code: value / sum(commune_population(c) for c in member_codes(code)) * 1e4
        for code, value in by_hand.items()
    }
    own_per = own / portrait.population * 1e4
    assert figure.neighbours.rank_per_10k == 1 + sum(v > own_per + 1e-3 for v in per_10k.values())


def test_population_class_of_the_metropole(store) -> None:
    portrait = build_portrait(TerritoryRef("epci", METRO), context=context(), store=store)
    low, high = next(
        (a, b)
        for a, b in zip(POPULATION_CLASSES["epci"], POPULATION_CLASSES["epci"][1:], strict=False)
        if a <= portrait.population < b
    )
    current = [r for r in cog_rows("communes") if r["type"] == "commune-actuelle"]
    region_of = {r["code"]: r["region"] for r in current}
    population_of = {r["code"]: r.get("population") for r in current}
    peers = set()
    for row in cog_rows("epci"):
        people = sum(population_of.get(m["code"]) or 0 for m in row["membres"])
        regions = [region_of.get(m["code"]) for m in row["membres"]]
        main = max(set(regions), key=regions.count)
        if low <= people < high and main == "84" and row["code"] != METRO:
            peers.add(row["code"])
    figure = portrait.indicator("covoiturage.places")
    assert figure.peers.count == len(peers) and peers
    assert portrait.peers_label.startswith(
        "intercommunalités (EPCI) de 200\u202f000 à 500\u202f000"
    )
    assert portrait.peers_label.endswith("en Auvergne-Rhône-Alpes")
    # Lyon's, Saint-Étienne's… outlines are not in the mirror: their figure is not known.
    assert {m.place.code for m in figure.peers.members} <= peers


def test_outside_coverage_or_not_loaded_is_null_with_its_reason(store) -> None:
    lyon = build_portrait(TerritoryRef("commune", "69123"), context=context(), store=store)
    places = lyon.indicator("covoiturage.places")
    assert places.value is None and places.per_10k is None
    assert places.reason == REASON_NOT_COVERED
    data = lyon.to_json()
    row = next(i for i in data["indicators"] if i["id"] == "covoiturage.places")
    assert row["value"] is None and row["reason"] == REASON_NOT_COVERED
    metro = build_portrait(TerritoryRef("epci", METRO), context=context(), store=store)
    charge = metro.indicator("irve.points_de_charge")
    assert charge.value is None and charge.reason.startswith(REASON_NOT_LOADED)
    assert "fichier absent du cache" in charge.reason
    assert all(i.value is None for i in metro.indicators if i.dataset == "consommation")


def test_header_area_chain_and_old_codes(store) -> None:
    t = territories()
    portrait = build_portrait(TerritoryRef("epci", METRO), context=context(), store=store)
    assert portrait.place.nom == "Grenoble-Alpes-Métropole"
    assert [(p.level, p.code) for p in portrait.parents] == [
        ("departement", "38"),
        ("region", "84"),
    ]
    assert portrait.communes == len(member_codes(METRO)) == 49
    epci = gpd.read_file(EPCI_OUTLINES)
    lambert = epci.loc[epci["code"] == METRO].to_crs(2154).area.iloc[0] / 1e6
    assert portrait.area_km2 == pytest.approx(lambert, rel=5e-3)
    # An old commune code (Arzay) is its current commune (Porte-des-Bonnevaux).
    old = build_portrait(t.parse("commune:38016"), context=context(), store=store)
    assert old.place.code == "38479"
    data = portrait.to_json()
    assert data["territory"] | {"parents": None} == {
        "level": "epci",
        "code": METRO,
        "nom": "Grenoble-Alpes-Métropole",
        "level_label": "EPCI",
        "population": portrait.population,
        "population_year": 2023,
        "area_km2": portrait.area_km2,
        "communes": 49,
        "parents": None,
    }
    json.dumps(data)  # plain JSON


def test_projects_here_and_the_neighbours_projects_nearest_first(store) -> None:
    portrait = build_portrait(TerritoryRef("epci", METRO), context=context(), store=store)
    here = portrait.projects
    assert sorted(line.title for line in here.lines) == ["Toits de Grenoble", "Vélos d'Échirolles"]
    assert here.by_theme == {"energie": 1, "mobilite": 1}
    assert here.by_stage == {"idee": 1, "en_projet": 0, "en_service": 1, "termine": 0}
    assert here.by_category["solaire"] == 1 and here.by_category["velo"] == 1
    around = portrait.neighbour_projects
    assert [line.title for line in around] == ["Chaleur de Crolles", "Bois de Voiron"]
    assert [line.commune for line in around] == ["Crolles", "Voiron"]
    assert around[0].territory == "CC Le Grésivaudan"
    # Distances from the Métropole's outline, by hand in Lambert-93.
    epci = gpd.read_file(EPCI_OUTLINES).to_crs(2154)
    metro = epci.loc[epci["code"] == METRO, "geometry"].iloc[0]
    for line in around:
        point = gpd.GeoSeries(gpd.points_from_xy([line.lon], [line.lat]), crs=4326).to_crs(2154)
        assert line.distance_km == pytest.approx(point.distance(metro).iloc[0] / 1000, abs=0.2)
    assert 0 < around[0].distance_km < around[1].distance_km
    assert portrait.neighbour_projects_total == 2  # Bourgoin is not a neighbour's


def test_lengths_are_in_kilometres(tmp_path: Path, store) -> None:
    t = territories()
    lanes = gpd.GeoDataFrame(
        {
            "longueur_m": [1500.0, 500.0],
            "code_commune": ["38185", "38185"],
            "code_epci": [METRO, METRO],
            "code_departement": ["38", "38"],
            "code_region": ["84", "84"],
        },
        geometry=[shapely.LineString([(5.72, 45.18), (5.73, 45.19)])] * 2,
        crs=4326,
    )
    lane_context = PortraitContext(t, {"amenagements_cyclables": lanes})
    portrait = build_portrait(TerritoryRef("commune", "38185"), context=lane_context, store=store)
    figure = portrait.indicator("amenagements_cyclables.longueur_m")
    assert (figure.value, figure.unit) == (2.0, "km")
    assert figure.text() == "2 km"
