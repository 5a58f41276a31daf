"""Per-territory indicators: hand-made frames with hand-computed figures (None vs 0, per
10,000 inhabitants, latest year, sources), then the BNLC on the mirror."""

from __future__ import annotations

import csv
from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
from reference import MIRROR, cog_rows, territories

from geo.datasets import CATALOGUE, load_dataset
from geo.errors import UnknownTerritoryError
from geo.indicators import (
    NOT_AVAILABLE,
    REASON_MISSING,
    REASON_NOT_COVERED,
    REASON_NOT_LOADED,
    Figure,
    SourceInfo,
    dates_from_manifest,
    indicator_table,
    manifest_dates,
    source_info,
    territory_indicators,
)

IRVE_EXCERPT = "www.data.gouv.fr/fr/datasets/r/2729b192-40ab-4454-904d-735084dca3a3"
BNLC = (
    MIRROR / "raw.githubusercontent.com/etalab/transport-base-nationale-covoiturage/main/bnlc-.csv"
)
# Territory codes written by hand (COG 2026): Grenoble and Échirolles are in
# Grenoble-Alpes-Métropole, Bourgoin-Jallieu in the CAPI; Lyon's outline is not in the mirror.
GRENOBLE = ("38185", "200040715", "38", "84")
ECHIROLLES = ("38151", "200040715", "38", "84")
BOURGOIN = ("38053", "243800604", "38", "84")
LYON = ("69123", "200046977", "69", "84")
NOWHERE = (None, None, None, None)  # a point outside the loaded outlines
METRO = "200040715"


def population(code: str) -> int:
    rows = cog_rows("communes")
    return next(r["population"] for r in rows if r["code"] == code and "chefLieu" not in r)


def frame_of(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    territory = ["code_commune", "code_epci", "code_departement", "code_region"]
    return pd.DataFrame([(*where, *values) for where, *values in rows], columns=territory + columns)


def values(series: pd.Series) -> list:
    """Plain Python values, ``None`` for missing ones."""
    return [None if pd.isna(value) else value for value in series]


def charge_points() -> pd.DataFrame:
    frame = frame_of(
        [
            (GRENOBLE, "S1", 22.0, date(2024, 1, 1)),
            (GRENOBLE, "S1", 50.0, date(2024, 5, 1)),
            (GRENOBLE, "S2", 150.0, date(2024, 3, 1)),
            (ECHIROLLES, "S3", None, date(2023, 1, 1)),  # unreadable power
            (LYON, "S4", 22.0, date(2024, 2, 1)),  # Lyon has no outline in the mirror …
            (NOWHERE, "S5", 7.0, date(2099, 1, 1)),  # … and a point outside, a future date
        ],
        ["id_station_itinerance", "puissance_kw", "date_maj"],
    )
    frame["puissance_kw"] = frame["puissance_kw"].astype("Float64")
    return frame


def test_a_whole_level_with_none_and_zero() -> None:
    table = indicator_table(
        charge_points(),
        CATALOGUE["irve"],
        "commune",
        territories=territories(),
        codes=["38185", "38151", "38053", "69123"],
    )
    assert table.index.name == "code_commune"
    assert values(table["points_de_charge"]) == [3, 1, 0, None]  # Lyon: not covered
    assert values(table["puissance_kw"]) == [222.0, None, 0.0, None]  # NA sum stays NA
    assert values(table["stations"]) == [2, 1, 0, None]
    assert values(table["points_de_charge_50kw"]) == [2, 0, 0, None]
    assert values(table["stations_50kw"]) == [2, 0, 0, None]
    assert str(table["points_de_charge"].dtype) == "Int64"
    assert str(table["puissance_kw"].dtype) == "Float64"
    assert values(table["population"]) == [population(c) for c in table.index]
    expected = 3 / population("38185") * 10_000
    assert table.loc["38185", "points_de_charge_pour_10k"] == pytest.approx(expected, abs=1e-3)
    assert table.loc["38185", "puissance_kw_pour_10k"] == pytest.approx(
        222 / population("38185") * 10_000, abs=1e-3
    )
    assert pd.isna(table.loc["69123", "points_de_charge_pour_10k"])


def test_upper_levels_cover_only_what_is_fully_loaded() -> None:
    t = territories()
    epci = indicator_table(charge_points(), CATALOGUE["irve"], "epci", territories=t)
    assert epci.loc[METRO, "points_de_charge"] == 4
    assert epci.loc["243800604", "points_de_charge"] == 0  # CAPI: covered, no row
    assert pd.isna(epci.loc["200046977", "points_de_charge"])  # Lyon Métropole
    metro = sum(
        population(m["code"]) for r in cog_rows("epci") if r["code"] == METRO for m in r["membres"]
    )
    assert epci.loc[METRO, "population"] == metro
    deps = indicator_table(charge_points(), CATALOGUE["irve"], "departement", territories=t)
    assert deps.loc["38", "points_de_charge"] == 4 and deps.loc["75", "points_de_charge"] == 0
    assert pd.isna(deps.loc["69", "points_de_charge"]) and pd.isna(deps.loc["01", "stations"])
    regions = indicator_table(charge_points(), CATALOGUE["irve"], "region", territories=t)
    # Auvergne-Rhône-Alpes has rows but only Isère is loaded: a partial sum would mislead.
    assert pd.isna(regions.loc["84", "points_de_charge"])
    assert regions.loc["11", "points_de_charge"] is pd.NA  # Île-de-France: only Paris loaded


def test_without_territories_only_the_rows_found_and_nothing_covered() -> None:
    table = indicator_table(charge_points(), CATALOGUE["irve"], "departement")
    assert list(table.index) == ["38", "69"]
    assert table["points_de_charge"].isna().all()  # coverage unknown: nothing asserted
    assert "population" not in table.columns


def production() -> pd.DataFrame:
    frame = frame_of(
        [
            (GRENOBLE, "Solaire", True, 100.0, 1),
            (GRENOBLE, "Hydraulique", True, 200.0, 1),
            (GRENOBLE, "Nucléaire", False, 1000.0, 1),
            (BOURGOIN, "Éolien", True, 50.0, 2),
            ((None, None, "38", "84"), "Solaire", True, 30.0, 11),  # département aggregate
        ],
        ["filiere", "renouvelable", "puissance_kw", "nb_installations"],
    )
    frame["renouvelable"] = frame["renouvelable"].astype("boolean")
    return frame


def test_split_aggregates_renewables_and_the_departement_aggregate_row() -> None:
    t = territories()
    communes = indicator_table(production(), CATALOGUE["production"], "commune", territories=t)
    grenoble = communes.loc["38185"]
    assert grenoble["puissance_kw_par_filiere:Solaire"] == 100.0
    assert grenoble["puissance_kw_par_filiere:Nucléaire"] == 1000.0
    assert grenoble["puissance_kw_par_filiere:Éolien"] == 0.0  # covered, no row
    assert grenoble["puissance_renouvelable_kw"] == 300.0
    assert grenoble["puissance_renouvelable_kw_par_filiere:Hydraulique"] == 200.0
    assert "puissance_renouvelable_kw_par_filiere:Nucléaire" not in communes.columns
    assert communes.loc["38527", "puissance_renouvelable_kw"] == 0.0  # Vaujany: no row
    # Commune-level data covers the départements it has rows in, outlines or not.
    assert pd.isna(communes.loc["69123", "puissance_renouvelable_kw"])
    deps = indicator_table(production(), CATALOGUE["production"], "departement", territories=t)
    assert deps.loc["38", "puissance_kw_par_filiere:Solaire"] == 130.0
    assert deps.loc["38", "installations_par_filiere:Solaire"] == 12.0
    assert deps.loc["38", "puissance_renouvelable_kw"] == 380.0
    assert deps.loc["38", "puissance_renouvelable_kw_pour_10k"] == pytest.approx(
        380 / 1_298_990 * 10_000, abs=1e-3
    )
    assert pd.isna(deps.loc["69", "puissance_renouvelable_kw"])


def consumption() -> pd.DataFrame:
    rows = [
        (GRENOBLE, 2021, "électricité", 900.0, 9.0),  # an older year: never summed
        (GRENOBLE, 2022, "électricité", 1000.0, 600.0),
        (GRENOBLE, 2022, "gaz", 500.0, 400.0),
        (ECHIROLLES, 2022, "électricité", None, None),  # secret
        (BOURGOIN, 2021, "électricité", 300.0, 200.0),  # only an older year
    ]
    frame = frame_of(rows, ["annee", "filiere", "conso_totale_mwh", "conso_residentiel_mwh"])
    for name in ("conso_totale_mwh", "conso_residentiel_mwh"):
        frame[name] = frame[name].astype("Float64")
    return frame


def test_latest_year_only_and_secret_sums() -> None:
    t = territories()
    table = indicator_table(consumption(), CATALOGUE["consommation"], "commune", territories=t)
    assert table.attrs["period"] == 2022
    assert table.loc["38185", "conso_mwh_par_filiere:électricité"] == 1000.0
    assert table.loc["38185", "conso_mwh_par_filiere:gaz"] == 500.0
    assert table.loc["38185", "conso_residentiel_mwh_par_filiere:gaz"] == 400.0
    assert pd.isna(table.loc["38151", "conso_mwh_par_filiere:électricité"])  # secret
    assert table.loc["38151", "conso_mwh_par_filiere:gaz"] == 0.0  # no gas row
    assert table.loc["38053", "conso_mwh_par_filiere:électricité"] == 0.0  # 2021 only
    epci = indicator_table(consumption(), CATALOGUE["consommation"], "epci", territories=t)
    assert epci.loc[METRO, "conso_mwh_par_filiere:électricité"] == 1000.0  # NA skipped
    narrowed = indicator_table(
        consumption(), CATALOGUE["consommation"], "commune", territories=t, departements=["73"]
    )
    assert narrowed["conso_mwh_par_filiere:électricité"].isna().all()


def test_local_datasets_say_nothing_where_they_have_no_row() -> None:
    frame = frame_of([(GRENOBLE, 10), (GRENOBLE, 4), (ECHIROLLES, None)], ["capacite"])
    frame["capacite"] = frame["capacite"].astype("Int64")
    t = territories()
    table = indicator_table(frame, CATALOGUE["stationnement_velo"], "commune", territories=t)
    assert table.loc["38185", "sites"] == 2 and table.loc["38185", "places_velo"] == 14.0
    assert table.loc["38151", "sites"] == 1 and pd.isna(table.loc["38151", "places_velo"])
    assert pd.isna(table.loc["38053", "sites"])  # no row: the producer says nothing there
    deps = indicator_table(frame, CATALOGUE["stationnement_velo"], "departement", territories=t)
    assert deps.loc["38", "places_velo"] == 14.0 and pd.isna(deps.loc["75", "sites"])


def test_sources_and_dates() -> None:
    source = source_info(CATALOGUE["irve"], charge_points(), today=date(2026, 11, 28))
    assert source.data_date == date(2024, 5, 1)  # 2099 is a typo, not an update
    assert source.date_basis == "mise à jour la plus récente du fichier"
    assert source.licence == "Licence Ouverte 2.0" and "Etalab" in source.producer
    assert source.date_text == "mise à jour la plus récente du fichier : 01/05/2024"
    fetched = source_info(CATALOGUE["production"], production(), as_of=date(2026, 6, 30))
    assert fetched.data_date == date(2026, 6, 30) and fetched.date_basis == "téléchargé le"
    yearly = source_info(CATALOGUE["consommation"], consumption())
    assert yearly.period == 2022 and yearly.date_text == "données de l'année 2022"
    assert dates_from_manifest(
        {"irve": {"fetched_at": "2026-11-02T08:00:00+00:00"}, "x": {}, "y": "?"}
    ) == {"irve": date(2026, 11, 2)}
    table = indicator_table(
        consumption(), CATALOGUE["consommation"], "region", territories=territories()
    )
    assert isinstance(table.attrs["source"], SourceInfo)
    assert table.attrs["source"].title.startswith("Consommation annuelle")


def test_one_territory_every_dataset() -> None:
    t = territories()
    frames = {"irve": charge_points(), "production": production(), "covoiturage": None}
    figures = territory_indicators(frames, "commune", "38185", territories=t)
    assert all(isinstance(f, Figure) for f in figures)
    by_key = {(f.dataset, f.indicator, f.category): f for f in figures}
    points = by_key[("irve", "points_de_charge", None)]
    assert points.value == 3 and points.unit == "points" and points.reason is None
    assert points.population == population("38185")
    assert points.per_10k == pytest.approx(3 / population("38185") * 10_000, abs=1e-3)
    assert points.source.dataset == "irve" and points.source.data_date == date(2024, 5, 1)
    assert points.text() == "3 points"
    solar = by_key[("production", "puissance_kw_par_filiere", "Solaire")]
    assert solar.value == 100.0 and solar.text() == "100 kW"
    nuclear = by_key[("production", "puissance_kw_par_filiere", "Nucléaire")]
    assert nuclear.text() == "1\u202f000 kW"
    carpool = by_key[("covoiturage", "places", None)]
    assert carpool.value is None and carpool.reason == REASON_NOT_LOADED
    assert carpool.text() == NOT_AVAILABLE
    assert {f.dataset for f in figures if f.reason == REASON_NOT_LOADED} == {
        "covoiturage",
        "consommation",
        "stationnement_velo",
        "amenagements_cyclables",
    }
    # Every figure carries its source, available or not.
    assert all(f.source.title and f.source.licence for f in figures)
    assert points.to_dict()["source"]["data_date"] == "2024-05-01"


def test_one_territory_reasons() -> None:
    t = territories()
    frames = {"irve": charge_points(), "consommation": consumption()}
    lyon = territory_indicators(frames, "commune", "69123", territories=t)
    points = next(f for f in lyon if f.indicator == "points_de_charge")
    assert points.value is None and points.reason == REASON_NOT_COVERED
    echirolles = territory_indicators(frames, "commune", "38151", territories=t)
    power = next(f for f in echirolles if f.indicator == "puissance_kw")
    assert power.value is None and power.reason == REASON_MISSING
    secret = next(
        f
        for f in echirolles
        if f.indicator == "conso_mwh_par_filiere" and f.category == "électricité"
    )
    assert secret.value is None and secret.reason == REASON_MISSING
    # An old commune code (Panissage) reads as its current commune.
    assert territory_indicators(frames, "commune", "38293", territories=t)[0].population == (
        population("38560")
    )
    with pytest.raises(UnknownTerritoryError):
        territory_indicators(frames, "commune", "99999", territories=t)


# --- on the mirror -------------------------------------------------------------------------------


def test_bnlc_in_isere_paris_and_rhone() -> None:
    with BNLC.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    isere = [row for row in rows if row["insee"].startswith("38")]
    places = sum(int(row["nbre_pl"]) for row in isere if row["nbre_pl"])
    assert (len(isere), places) == (100, 3158)  # the mirror README says 100 rows in Isère
    t = territories()
    loaded = load_dataset(CATALOGUE["covoiturage"], BNLC, territories=t, schema=None)
    located = loaded.frame[loaded.frame["code_departement"] == "38"]
    assert set(located["id_lieu"]) == {row["id_lieu"] for row in isere}
    table = indicator_table(loaded, CATALOGUE["covoiturage"], "departement", territories=t)
    assert table.loc["38", "lieux"] == 100 and table.loc["38", "places"] == places
    assert table.loc["38", "places_pour_10k"] == pytest.approx(places / 1_298_990 * 1e4, abs=1e-3)
    assert table.loc["75", "lieux"] == 0 and table.loc["75", "places"] == 0.0  # Paris: none
    assert pd.isna(table.loc["69", "lieux"])  # Rhône: no outline loaded
    communes = indicator_table(loaded, CATALOGUE["covoiturage"], "commune", territories=t)
    isere_codes = t.communes_in("departement", "38")
    assert communes.loc[isere_codes, "lieux"].sum() == 100
    assert communes.loc[isere_codes, "lieux"].notna().all()
    figures = territory_indicators({"covoiturage": loaded}, "departement", "38", territories=t)
    lieux = next(f for f in figures if f.indicator == "lieux")
    assert lieux.value == 100 and lieux.source.licence == "ODbL 1.0"
    assert "BNLC" in lieux.source.attribution
    assert lieux.source.data_date <= date.today()  # the 2026-12-13 typo is not the data date


def test_choropleth_ready_geodataframe() -> None:
    t = territories()
    loaded = load_dataset(CATALOGUE["covoiturage"], BNLC, territories=t, schema=None)
    table = indicator_table(loaded, CATALOGUE["covoiturage"], "commune", territories=t)
    outlines = t.display_outlines("commune")
    joined = gpd.GeoDataFrame(
        outlines.merge(table, left_on="code", right_index=True, how="left"), crs=4326
    )
    assert len(joined) == len(outlines) and joined["lieux"].notna().all()


def test_an_excerpt_of_a_national_file_covers_only_where_it_has_rows() -> None:
    """The mirror's IRVE file is one site in the Somme: Isère is "non disponible", never
    0 charge points; the complete BNLC covers Isère and Paris (Paris has none: 0)."""
    t = territories()
    irve = load_dataset(CATALOGUE["irve"], MIRROR / IRVE_EXCERPT, territories=t, schema=None)
    table = indicator_table(irve.frame, CATALOGUE["irve"], "departement", territories=t)
    assert values(table.loc[["38", "75"], "points_de_charge"]) == [None, None]
    bnlc = load_dataset(CATALOGUE["covoiturage"], BNLC, territories=t, schema=None)
    places = indicator_table(bnlc.frame, CATALOGUE["covoiturage"], "departement", territories=t)
    assert places.loc["75", "places"] == 0 and places.loc["38", "places"] > 0
    # The excerpt in its own département is covered (on the national reference, tested in
    # tests/e2e/national); a handmade frame with rows in Isère covers Isère.
    handmade = indicator_table(charge_points(), CATALOGUE["irve"], "departement", territories=t)
    assert handmade.loc["38", "points_de_charge"] > 0


def test_a_files_own_date_comes_first() -> None:
    manifest = {
        "irve": {"fetched_at": "2026-11-02T08:00:00+00:00", "published_at": "2026-10-30T06:00:00"},
        "covoiturage": {"fetched_at": "2026-11-02T08:00:00+00:00", "published_at": None},
    }
    dates = manifest_dates(manifest)
    assert dates == {
        "irve": (date(2026, 10, 30), "fichier du"),
        "covoiturage": (date(2026, 11, 2), "téléchargé le"),
    }
    day, basis = dates["irve"]
    source = source_info(CATALOGUE["production"], None, as_of=day, as_of_basis=basis)
    assert source.date_text == "fichier du : 30/10/2026"


@pytest.mark.parametrize(
    ("outside", "expected"),
    [
        (1, "1 des 2 473 lignes est hors des territoires chargés : elle ne compte dans"),
        (2373, "2 373 des 2 473 lignes sont hors des territoires chargés : elles ne comptent"),
    ],
)
def test_rows_outside_agree_with_their_count(outside: int, expected: str) -> None:
    info = SourceInfo("irve", "IRVE", "Etalab", "LO", "Etalab", "https://x", None, None,
                      rows=2473, rows_outside=outside)  # fmt: skip
    text = (info.outside_text or "").replace("\u202f", " ").replace("\xa0", " ")
    assert text.startswith(expected)


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (1.0, "sites", "1 site"),
        (0.0, "lieux", "0 lieu"),
        (18.0, "lieux", "18 lieux"),
        (1.0, "points", "1 point"),
        (0.0, "installations", "0 installation"),
        (12345.6, "kW", "12\u202f345,6 kW"),
        (2.0, "places", "2 places"),
        (None, "sites", NOT_AVAILABLE),
    ],
)
def test_a_whole_count_agrees_with_its_unit(value: float | None, unit: str, expected: str) -> None:
    info = SourceInfo("x", "X", "Etalab", "LO", "Etalab", "https://x", None, None)
    figure = Figure("x", "sites", "Sites", None, value, unit, None, None, info)
    assert figure.text() == expected
