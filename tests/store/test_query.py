"""Store queries, table-driven: territory at every level, vocabularies, text, box, distance, pages.

Every case runs on SQLite and PostgreSQL, each twice: with the engine's own index (SQLite's
FTS5 for text, PostGIS for box and distance) and with the portable SQL (``LIKE``, lat/lon
box and haversine), which must give the same answers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pg_server import new_store_url
from store_helpers import ENGINES, fake_locate, project

from geo.errors import UnknownTerritoryError
from geo.store.identity import Operator
from geo.store.project_store import ProjectFilter, ProjectStore
from geo.territory import TerritoryRef

ROWS = {
    "solaire_ecoles": project(
        title="Centrale solaire des Écoles",
        description="Panneaux photovoltaïques sur trois groupes scolaires.",
        carriers=[{"name": "SCIC Énergie Partagée Grenoble", "type": "cooperative"}],
    ),
    "autopartage": project(
        title="Autopartage villageois",
        summary="Deux voitures partagées pour le village.",
        themes=["mobilite"],
        categories=["autopartage"],
        stage="idee",
        carriers=[{"name": "Commune de Crolles", "type": "collectivite"}],
        lat=45.30,
        lon=5.90,
    ),
    "chaleur": project(
        title="Réseau de chaleur bois",
        summary="Chaufferie collective au bois local.",
        categories=["reseau_de_chaleur"],
        stage="en_projet",
        carriers=[{"name": "Ville de Paris", "type": "collectivite"}],
        lat=48.8566,
        lon=2.3522,
    ),
    "velos": project(
        title="Vélos cargo partagés",
        summary="Livraisons du dernier kilomètre à vélo.",
        themes=["mobilite"],
        categories=["velo", "logistique"],
        stage="termine",
        carriers=[{"name": "Coursiers Associés", "type": "association"}],
        lat=48.87,
        lon=2.30,
    ),
    "bornes": project(
        title="Bornes de recharge solaires",
        summary="Ombrières et recharge pour les véhicules de la commune.",
        themes=["energie", "mobilite"],
        categories=["recharge_electrique", "solaire"],
        carriers=[{"name": "Régie de Saint-Denis", "type": "etablissement_public"}],
        lat=-20.88,
        lon=55.45,
    ),
    "covoiturage": project(
        title="Covoiturage du Vercors",
        summary="Une ligne de covoiturage entre plateau et vallée.",
        themes=["mobilite"],
        categories=["covoiturage"],
        stage="en_projet",
        carriers=[{"name": "Collectif Vercors en Commun", "type": "collectif_citoyen"}],
        lat=45.76,
        lon=4.83,
    ),
}
STATUS = {
    "solaire_ecoles": "publie",
    "autopartage": "propose",
    "chaleur": "publie",
    "velos": "refuse",
    "bornes": "publie",
    "covoiturage": "archive",
}
GRENOBLE = (45.1885, 5.7245)
ISERE = {"solaire_ecoles", "autopartage"}
MOBILITY = {"autopartage", "velos", "bornes", "covoiturage"}


@pytest.fixture(scope="module", params=ENGINES)
def loaded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[ProjectStore, dict[str, int]]:
    url = new_store_url(request.param, Path(tmp_path_factory.mktemp("query")), request)
    store = ProjectStore(url, locate=fake_locate)
    ids = {}
    for name, row in ROWS.items():
        ids[name], _ = store.add(row, actor="test")
        if STATUS[name] != "propose":
            store.set_status(ids[name], STATUS[name], operator=Operator("test"))
    yield store, ids
    store.close()


@pytest.fixture(params=[True, False], ids=["index", "plain"])
def store(
    request: pytest.FixtureRequest, loaded: tuple[ProjectStore, dict[str, int]]
) -> ProjectStore:
    """The store with its indexes (SQLite: FTS5 for text; PostgreSQL: PostGIS for box and
    distance, pg_trgm behind LIKE), then without them (the portable SQL): same answers."""
    opened, _ = loaded
    saved = opened._text_index, opened._spatial_index
    if opened.engine.dialect.name == "sqlite":
        assert opened._text_index and not opened._spatial_index  # FTS5 exists here
        opened._text_index = request.param
    else:
        assert opened._spatial_index and not opened._text_index
        opened._spatial_index = request.param
    yield opened
    opened._text_index, opened._spatial_index = saved


def names(store: ProjectStore, ids: dict[str, int], criteria: ProjectFilter) -> set[str]:
    result = store.query(criteria, limit=100)
    by_id = {pid: name for name, pid in ids.items()}
    found = {by_id[p.id] for p in result.items}
    assert result.total == len(found)
    return found


CASES = [
    ("everything", ProjectFilter(), set(ROWS)),
    ("commune", ProjectFilter(territory=TerritoryRef("commune", "38185")), {"solaire_ecoles"}),
    ("commune as typed", ProjectFilter(territory=TerritoryRef("commune", "38 185")), {"solaire_ecoles"}),  # noqa: E501
    ("epci", ProjectFilter(territory=TerritoryRef("epci", "200018166")), {"autopartage"}),
    ("departement", ProjectFilter(territory=TerritoryRef("departement", "38")), ISERE),
    ("region", ProjectFilter(territory=TerritoryRef("region", "11")), {"chaleur", "velos"}),
    ("overseas", ProjectFilter(territory=TerritoryRef("departement", "974")), {"bornes"}),
    ("no such code", ProjectFilter(territory=TerritoryRef("region", "99")), set()),
    ("theme", ProjectFilter(themes=("mobilite",)), MOBILITY),
    ("two themes", ProjectFilter(themes=("energie", "mobilite")), set(ROWS)),
    ("category", ProjectFilter(categories=("solaire",)), {"solaire_ecoles", "bornes"}),
    ("any category", ProjectFilter(categories=("velo", "autopartage")), {"velos", "autopartage"}),
    ("stage", ProjectFilter(stages=("en_service",)), {"solaire_ecoles", "bornes"}),
    ("published", ProjectFilter(statuses=("publie",)), {"solaire_ecoles", "chaleur", "bornes"}),
    ("moderation queue", ProjectFilter(statuses=("propose",)), {"autopartage"}),
    ("accent-insensitive", ProjectFilter(text="energie"), {"solaire_ecoles"}),
    ("upper case, accents", ProjectFilter(text="ÉNERGIE"), {"solaire_ecoles"}),
    ("title word", ProjectFilter(text="velos"), {"velos"}),
    ("every word", ProjectFilter(text="cargo vélo"), {"velos"}),
    ("words in any field", ProjectFilter(text="solaire commune"), {"bornes"}),
    ("summary", ProjectFilter(text="chaufferie"), {"chaleur"}),
    ("carrier", ProjectFilter(text="coursiers"), {"velos"}),
    ("carrier, hyphen", ProjectFilter(text="saint denis"), {"bornes"}),
    ("substring", ProjectFilter(text="partag"), {"solaire_ecoles", "autopartage", "velos"}),
    ("short word", ProjectFilter(text="du"), {"velos", "covoiturage"}),
    ("description is not searched", ProjectFilter(text="photovoltaiques"), set()),
    ("no match", ProjectFilter(text="hydrogène"), set()),
    ("only punctuation", ProjectFilter(text=" ;-) "), set(ROWS)),
    ("bbox Paris", ProjectFilter(bbox=(2.2, 48.8, 2.45, 48.95)), {"chaleur", "velos"}),
    ("bbox reversed lat", ProjectFilter(bbox=(2.2, 48.95, 2.45, 48.8)), {"chaleur", "velos"}),
    ("bbox empty", ProjectFilter(bbox=(0.0, 44.0, 1.0, 45.0)), set()),
    ("near 10 km", ProjectFilter(near=(*GRENOBLE, 10)), {"solaire_ecoles"}),
    ("near 25 km", ProjectFilter(near=(*GRENOBLE, 25)), ISERE),
    ("near 100 km", ProjectFilter(near=(*GRENOBLE, 100)), ISERE | {"covoiturage"}),
    (
        "territory + theme + text",
        ProjectFilter(
            territory=TerritoryRef("departement", "38"), themes=("energie",), text="solaire"
        ),
        {"solaire_ecoles"},
    ),
    (
        "published near Grenoble",
        ProjectFilter(near=(*GRENOBLE, 100), statuses=("publie",)),
        {"solaire_ecoles"},
    ),
    ("text + category", ProjectFilter(text="recharge", categories=("solaire",)), {"bornes"}),
    ("text + two themes", ProjectFilter(text="solaire", themes=("energie", "mobilite")),
     {"solaire_ecoles", "bornes"}),
    ("text + theme, none", ProjectFilter(text="chaufferie", themes=("mobilite",)), set()),
    ("text + category with _", ProjectFilter(text="bois", categories=("reseau_de_chaleur",)),
     {"chaleur"}),
    ("text + any category", ProjectFilter(text="partag", categories=("velo", "solaire")),
     {"solaire_ecoles", "velos"}),
]  # fmt: skip


@pytest.mark.parametrize(("case", "criteria", "expected"), CASES, ids=[c[0] for c in CASES])
def test_filters(
    store: ProjectStore,
    loaded: tuple[ProjectStore, dict[str, int]],
    case: str,
    criteria: ProjectFilter,
    expected: set[str],
) -> None:
    assert names(store, loaded[1], criteria) == expected


def test_distance_is_exact_and_ordered(
    store: ProjectStore, loaded: tuple[ProjectStore, dict[str, int]]
) -> None:
    ids = loaded[1]
    result = store.query(ProjectFilter(near=(*GRENOBLE, 100)), order="distance")
    assert [p.id for p in result.items] == [
        ids[n] for n in ("solaire_ecoles", "autopartage", "covoiturage")
    ]
    distances = result.distances_km
    assert distances[ids["solaire_ecoles"]] == pytest.approx(0.0, abs=1e-3)
    assert distances[ids["autopartage"]] == pytest.approx(18.5, abs=0.3)
    assert distances[ids["covoiturage"]] == pytest.approx(94.5, abs=1.5)  # Lyon–Grenoble


def test_pagination(store: ProjectStore, loaded: tuple[ProjectStore, dict[str, int]]) -> None:
    pages = [store.query(limit=2, offset=offset) for offset in (0, 2, 4, 6)]
    assert [page.total for page in pages] == [6, 6, 6, 6]
    seen = [p.id for page in pages for p in page.items]
    assert seen == sorted(loaded[1].values(), reverse=True)  # newest first, nothing twice
    assert pages[-1].items == []
    by_title = store.query(limit=3, order="title")
    assert [p.title for p in by_title.items] == sorted(r["title"] for r in ROWS.values())[:3]
    near = store.query(ProjectFilter(near=(*GRENOBLE, 100)), limit=1, offset=1, order="distance")
    assert near.total == 3 and [p.id for p in near.items] == [loaded[1]["autopartage"]]


def test_count_and_frame(store: ProjectStore) -> None:
    published = ProjectFilter(statuses=("publie",))
    assert store.count(published) == 3
    frame = store.all_frame(published)
    assert len(frame) == 3 and frame.crs.to_epsg() == 4326
    assert "contact_email" not in frame.columns and "token_hash" not in frame.columns
    assert "search_text" not in frame.columns
    assert {"code_commune", "code_epci", "code_departement", "code_region"} <= set(frame.columns)
    assert frame.geometry.x.tolist() == frame["lon"].tolist()
    assert "contact_email" in store.all_frame(published, private=True).columns
    near = store.all_frame(ProjectFilter(near=(*GRENOBLE, 25)))
    assert len(near) == 2


def test_unknown_level_is_a_french_error() -> None:
    with pytest.raises(UnknownTerritoryError, match="Niveau de territoire inconnu"):
        ProjectFilter(territory=TerritoryRef("canton", "3801"))  # type: ignore[arg-type]
