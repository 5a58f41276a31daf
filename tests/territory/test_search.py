"""Territory search: ranking on the real COG, normalisation, and the index on a tiny frame."""

from __future__ import annotations

import pandas as pd
import pytest
from reference import cog_rows, territories

from geo.territory import Territories
from geo.territory.search import SearchIndex, SearchResult
from geo.text import place_name_key


@pytest.fixture(scope="module")
def terr() -> Territories:
    return territories()


# --- ranking on the real COG ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "level", "code"),
    [
        ("38000", "commune", "38185"),  # postal code
        ("38100", "commune", "38185"),
        ("grenoble", "commune", "38185"),
        ("GRENOBLE", "commune", "38185"),
        ("saint martin d heres", "commune", "38421"),
        ("SAINT-MARTIN-D'HÈRES", "commune", "38421"),
        ("st martin d'heres", "commune", "38421"),
        ("Saint Martin d’Hères", "commune", "38421"),  # typographic apostrophe
        ("Isère", "departement", "38"),
        ("isere", "departement", "38"),
        ("38", "departement", "38"),
        ("75", "departement", "75"),  # the département before the more populous région 75
        ("84", "departement", "84"),
        ("200040715", "epci", "200040715"),
        ("200 040 715", "epci", "200040715"),
        ("75101", "commune", "75056"),  # arrondissement municipal
        ("38293", "commune", "38560"),  # Panissage, merged into Val-de-Virieu
        ("38421", "commune", "38421"),
        ("2A004", "commune", "2A004"),
        ("2a004", "commune", "2A004"),
        ("2A", "departement", "2A"),
        ("grenble", "commune", "38185"),  # typo: fuzzy
        ("Auvergne Rhone Alpes", "region", "84"),
        ("grenoble alpes metropole", "epci", "200040715"),
        ("marseille", "commune", "13055"),
        ("13001", "commune", "13055"),  # Marseille's postal code outranks Aix's INSEE code
    ],
)
def test_first_result(terr: Territories, query: str, level: str, code: str) -> None:
    results = terr.search(query)
    assert results, query
    assert (results[0].level, results[0].code) == (level, code)


def test_grenoble_then_its_metropole(terr: Territories) -> None:
    results = terr.search("grenoble")
    assert [(r.level, r.code, r.match) for r in results[:2]] == [
        ("commune", "38185", "exact"),
        ("epci", "200040715", "prefix"),
    ]


def test_results_carry_level_code_name_parent(terr: Territories) -> None:
    [first, *_] = terr.search("grenoble")
    assert first == SearchResult(
        level="commune",
        code="38185",
        nom="Grenoble",
        parent="Isère",
        population=156_140,
        match="exact",
    )
    assert first.to_dict() == {
        "level": "commune",
        "code": "38185",
        "nom": "Grenoble",
        "parent": "Isère",
        "population": 156_140,
        "match": "exact",
    }
    assert first.label == "Grenoble (commune, Isère)"
    [isere] = terr.search("38")
    assert isere.parent == "Auvergne-Rhône-Alpes"
    assert isere.label == "Isère (département 38, Auvergne-Rhône-Alpes)"
    region = next(r for r in terr.search("Auvergne-Rhône-Alpes") if r.level == "region")
    assert region.parent is None
    assert region.label == "Auvergne-Rhône-Alpes (région 84)"
    epci = next(r for r in terr.search("grenoble") if r.level == "epci")
    assert epci.parent == "Isère"
    assert epci.population == terr.population("epci", "200040715")


@pytest.mark.parametrize("query", ["", "   ", "-", "'’"])
def test_empty_query(terr: Territories, query: str) -> None:
    assert terr.search(query) == []


@pytest.mark.parametrize("query", ["123456789", "99999", "zzzzqqqq"])
def test_nothing_found(terr: Territories, query: str) -> None:
    assert terr.search(query) == []


def test_same_name_ranks_by_population(terr: Territories) -> None:
    expected = [
        r["code"]
        for r in sorted(
            (
                r
                for r in cog_rows("communes")
                if r["type"] == "commune-actuelle" and r["nom"] == "Saint-Denis"
            ),
            key=lambda r: -(r.get("population") or 0),
        )
    ]
    assert len(expected) >= 2
    assert expected[:2] == ["97411", "93066"]  # La Réunion's, then Seine-Saint-Denis's
    results = terr.search("Saint-Denis", limit=len(expected))
    assert [r.code for r in results] == expected
    assert all(r.match == "exact" for r in results)


def test_exact_before_prefix_before_fuzzy(terr: Territories) -> None:
    results = terr.search("lyon", limit=10)
    assert results[0].code == "69123"
    ranks = [{"exact": 0, "prefix": 1, "fuzzy": 2}[r.match] for r in results]
    assert ranks == sorted(ranks)
    assert {"prefix", "fuzzy"} <= {r.match for r in results}


def test_two_digit_code_finds_both_departement_and_region(terr: Territories) -> None:
    results = terr.search("84")
    assert {(r.level, r.code) for r in results} == {("departement", "84"), ("region", "84")}


def test_postal_code_shared_by_several_communes(terr: Territories) -> None:
    expected = {
        r["code"]
        for r in cog_rows("communes")
        if r["type"] == "commune-actuelle" and "38500" in (r.get("codesPostaux") or [])
    }
    assert len(expected) > 1
    expected.add("38500")  # also the INSEE code of Têche
    results = terr.search("38500", limit=50)
    assert {r.code for r in results} == expected
    populations = [r.population or 0 for r in results]
    assert populations == sorted(populations, reverse=True)


@pytest.mark.parametrize("limit", [1, 3, 10])
def test_limit(terr: Territories, limit: int) -> None:
    results = terr.search("bourg", limit=limit)
    assert len(results) == limit
    assert results == terr.search("bourg", limit=50)[:limit]


# --- normalisation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saint-Martin-d'Hères", "saint martin d heres"),
        ("St-Martin-d’Hères", "saint martin d heres"),
        ("  ÎLE-DE-BRÉHAT ", "ile de brehat"),
        ("Ste-Foy-lès-Lyon", "sainte foy les lyon"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("Œuilly", "oeuilly"),
        ("Stella-Plage", "stella plage"),  # only whole words expand
        ("ST", "saint"),
        ("Paris 1er Arrondissement", "paris 1er arrondissement"),
        ("", ""),
        ("--", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert place_name_key(text) == expected


# --- the index on a tiny frame ----------------------------------------------------------------


def _index() -> SearchIndex:
    entries = pd.DataFrame(
        {
            "level": ["commune", "commune", "commune", "epci", "departement", "commune"],
            "code": ["01001", "01002", "01003", "200000001", "01", "01004"],
            "nom": ["Bourg", "Bourg-Achard", "Bour", "Bourg", "Bourg", "Vaux"],
            "parent": ["Ain", "Ain", "Ain", "Ain", "Région", "Ain"],
            "population": pd.array([10, 3_000, 1_000_000, 10, 10, None], dtype="Int64"),
            "postal_codes": [("01000",), ("01000",), ("01100",), None, None, ("01200",)],
        }
    )
    return SearchIndex(entries, old_codes={"01001": "01001", "01999": "01004"})


def test_index_ranks_match_kind_before_population() -> None:
    results = _index().search("bourg")
    assert [(r.code, r.match) for r in results] == [
        ("01001", "exact"),  # same name and population: commune, then EPCI, then département
        ("200000001", "exact"),
        ("01", "exact"),
        ("01002", "prefix"),
        ("01003", "fuzzy"),  # the largest population, but only a fuzzy match
    ]


def test_index_codes() -> None:
    index = _index()
    assert [r.code for r in index.search("01000")] == ["01002", "01001"]  # postal, by population
    assert [r.code for r in index.search("01999")] == ["01004"]  # old code
    assert index.search("01999")[0].population is None
    assert [r.code for r in index.search("200000001")] == ["200000001"]
    assert [r.code for r in index.search("01")] == ["01"]
