"""How the portrait compares, on the mirror's real files: one rank everywhere (page table,
sheet, JSON), none among zeros or alone, the ranked chart's rows and what an excerpt of a
population class says; the chart's Vega-Lite specification (every row named, French numbers)."""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pandas as pd
import pytest
from reference import MIRROR, territories

from geo.datasets import CATALOGUE, load_dataset
from geo.portrait import PortraitContext, build_portrait
from geo.portrait.chart import ROW_HEIGHT, chart_description, ranked_bars
from geo.portrait.figures import ALL_ZERO, NO_FIGURE, NO_OTHERS, Rank, rank_among
from geo.portrait.sheet import sheet_html
from geo.portrait.view import chart_rows, excerpt_note, standing
from geo.store import ProjectStore
from geo.territory import TerritoryRef

ETALAB = MIRROR / "raw.githubusercontent.com/etalab"
FILES = {
    "covoiturage": (ETALAB / "transport-base-nationale-covoiturage/main/bnlc-.csv", None),
    "production": (
        MIRROR / "odre.opendatasoft.com/api/explore/v2.1/catalog/datasets/"
        "registre-national-installation-production-stockage-electricite-agrege/exports/json",
        None,
    ),
    "stationnement_velo": (
        ETALAB / "schema-stationnement-cyclable/v1.1.2/exemple-valide.csv",
        ETALAB / "schema-stationnement-cyclable/v1.1.2/schema.json",
    ),
}
GRENOBLE = TerritoryRef("commune", "38185")
SAINT_EGREVE = TerritoryRef("commune", "38382")  # 10,000–20,000 inhabitants, in Isère


@cache
def context() -> PortraitContext:
    t = territories()
    frames = {
        name: load_dataset(CATALOGUE[name], path, territories=t, schema=schema)
        for name, (path, schema) in FILES.items()
    }
    return PortraitContext(t, frames)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ProjectStore:
    path = tmp_path_factory.mktemp("comparaison") / "projets.sqlite"
    return ProjectStore(f"sqlite:///{path}", locate=territories())


@cache
def portrait(ref: TerritoryRef, store: ProjectStore):
    return build_portrait(ref, context=context(), store=store)


# --- one rank ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("own", "others", "expected"),
    [
        (3.0, [5.0, 3.0, 1.0, np.nan], Rank(2, 4, 1)),
        (0.0, [2.0, 0.0, 0.0], Rank(2, 4, 2)),  # a zero among others that are not: ranked
        (0.0, [0.0, 0.0, np.nan], Rank(None, 3, reason=ALL_ZERO)),  # all zero: no rank
        (4.0, [np.nan, np.nan], Rank(None, 1, reason=NO_OTHERS)),  # alone: no rank
        (None, [1.0, 2.0], Rank(None, 2, reason=NO_FIGURE)),
    ],
)
def test_rank_among_others(own: float | None, others: list[float], expected: Rank) -> None:
    assert rank_among(own, np.array(others)) == expected


def test_no_rank_among_zeros_and_why(store: ProjectStore) -> None:
    # Nuclear production: 0 in Grenoble and in every neighbour of the register's excerpt.
    nuclear = portrait(GRENOBLE, store).indicator("production.puissance_kw_par_filiere:Nucléaire")
    assert nuclear.value == 0 and nuclear.neighbours.of >= 5
    assert all(m.value == 0 for m in nuclear.neighbours.members if m.value is not None)
    assert nuclear.neighbours.rank is None and nuclear.neighbours.rank_per_10k is None
    assert nuclear.neighbours.rank_text(per_10k=True) is None
    assert nuclear.neighbours.by_per_10k.cell() == "pas de rang : tous à 0"
    others = nuclear.neighbours.of - 1
    sentence = standing(portrait(GRENOBLE, store), nuclear, "voisins", per_10k=True)
    assert sentence == f"Grenoble est à 0, comme ses {others} voisins renseignés : pas de rang."
    assert "ex æquo" not in sentence


def test_the_json_the_page_and_the_sheet_give_one_rank(store: ProjectStore) -> None:
    grenoble = portrait(GRENOBLE, store)
    data = {row["id"]: row for row in grenoble.to_json()["indicators"]}
    # Bike parking: the example file has sites in Grenoble only, none in a neighbour.
    parking = data["stationnement_velo.sites"]
    assert parking["value"] >= 1 and parking["neighbours_ranked"] == 1
    assert parking["rank_among_neighbours"] is None
    assert parking["rank_among_neighbours_per_10k"] is None
    assert parking["no_rank_reason_per_10k"] == NO_OTHERS
    assert parking["rank_among_neighbours_text"] == "pas de rang : aucun voisin renseigné"
    html = sheet_html(grenoble)
    for indicator in grenoble.indicators:
        row = data[indicator.id]
        text = indicator.neighbours.by_per_10k.cell()  # what the page's table shows
        assert row["rank_among_neighbours_text"] == text, indicator.id
        position = row["rank_among_neighbours_per_10k"]
        assert (position is None) == (not re.match(r"\d", text)), indicator.id
        if position is not None:
            assert text.startswith("1ᵉʳ" if position == 1 else f"{position}ᵉ")
        assert f"<td>{text}</td>" in html, indicator.id


# --- the chart's rows ----------------------------------------------------------------------------


def test_an_excerpt_of_the_class_says_so(store: ProjectStore) -> None:
    town = portrait(SAINT_EGREVE, store)
    places = town.indicator("covoiturage.lieux")
    ranked = places.peers.by_per_10k.of
    assert places.peers.count > ranked > 6  # many in the class, some with a known figure
    rows = chart_rows(town, places, "strate", per_10k=True)
    territories_shown = rows[rows["role"] != "reference"]
    assert len(territories_shown) < ranked
    assert "Médiane de la strate" in set(rows["nom"]) and "Saint-Égrève" in set(rows["nom"])
    note = excerpt_note(town, places, "strate", per_10k=True)
    assert note is not None
    assert note.startswith(f"Extrait : {len(territories_shown)} des {ranked} territoires")
    assert "Saint-Égrève" in note
    # By value, the window is taken around the territory's value.
    by_value = chart_rows(town, places, "strate", per_10k=False)
    assert excerpt_note(town, places, "strate", per_10k=False).startswith(
        f"Extrait : {(by_value['role'] != 'reference').sum()} des {places.peers.by_value.of} "
    )
    # The neighbours are all shown: no excerpt.
    assert excerpt_note(town, places, "voisins", per_10k=True) is None
    neighbours = chart_rows(town, places, "voisins", per_10k=True)
    assert len(neighbours) == len(town.neighbours) + 1


# --- the chart -----------------------------------------------------------------------------------


def _rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "nom": ["France", "Grenoble", "Sans chiffre"],
            "valeur": [0.2939, 1234.5, None],
            "role": ["reference", "territoire", "comparaison"],
        }
    )


def test_every_row_is_named_and_its_figure_french() -> None:
    spec = ranked_bars(_rows(), unit="lieux pour 10 000 hab.")
    records = spec["data"]["values"]
    assert [r["texte"] for r in records] == ["0,29", "1\u202f234,50", "non disponible"]
    names, figures = spec["layer"][1], spec["layer"][2]
    # Names are text marks, one per row: Vega hides overlapping axis labels, never marks.
    assert names["mark"]["type"] == "text" and names["encoding"]["text"]["field"] == "nom"
    assert figures["encoding"]["text"]["field"] == "texte"
    assert spec["encoding"]["y"]["axis"] is None
    # The height is the rows' (two bars are as thick as twenty), the width the page's.
    assert spec["height"] == {"step": ROW_HEIGHT} and spec["autosize"]["type"] == "fit-x"
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    axis = spec["layer"][0]["encoding"]["x"]
    assert axis["title"] == "lieux pour 10 000 hab." and "," in axis["axis"]["format"]
    description = chart_description(_rows(), unit="lieux pour 10 000 hab.")
    assert "Grenoble : 1\u202f234,50" in description
    assert "Sans chiffre : non disponible" in description


# --- agreement -----------------------------------------------------------------------------------


def test_counts_agree_in_the_portrait_and_its_sheet(store: ProjectStore) -> None:
    grenoble = portrait(GRENOBLE, store)
    sites = grenoble.indicator("stationnement_velo.sites")
    assert sites.value == 1 and sites.text() == "1 site"  # once "1 sites"
    assert standing(grenoble, sites, "france", per_10k=False).startswith("Grenoble : 1 site, ")
    nuclear = grenoble.indicator("production.installations_par_filiere:Nucléaire")
    assert nuclear.text() == "0 installation"
    html = sheet_html(grenoble)
    assert "1 site<" in html and "1 sites" not in html
    assert "0 projet publié sur la carte" in html  # the store is empty
    # A rank among one other: "avec 1 voisin renseigné".
    assert Rank(1, 2).text() == "1ᵉʳ sur 2 (avec 1 voisin renseigné)"
    assert Rank(2, 3, 1).text() == "2ᵉ ex æquo sur 3 (avec 2 voisins renseignés)"
