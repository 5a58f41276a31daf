"""The dataset catalogue, its sources and the load report contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from reference import MIRROR

from geo.datasets import CATALOGUE, LoadReport, get_dataset
from geo.datasets.catalogue import Aggregate, UnknownDatasetError
from geo.errors import GeoError
from geo.sources.declared import GROUPS, SOURCES, mirror_path

OFFICIAL = {
    "irve": "https://www.data.gouv.fr/fr/datasets/r/2729b192-40ab-4454-904d-735084dca3a3",
    "covoiturage": (
        "https://raw.githubusercontent.com/etalab/transport-base-nationale-covoiturage/main/bnlc-.csv"
    ),
    "production": (
        "https://odre.opendatasoft.com/api/explore/v2.1/catalog/datasets/"
        "registre-national-installation-production-stockage-electricite-agrege/exports/json"
    ),
    "consommation": (
        "https://opendata.agenceore.fr/api/explore/v2.1/catalog/datasets/"
        "conso-elec-gaz-annuelle-par-secteur-dactivite-agregee-commune/exports/csv"
    ),
    "stationnement_velo": (
        "https://raw.githubusercontent.com/etalab/schema-stationnement-cyclable/v1.1.2/exemple-valide.csv"
    ),
    "amenagements_cyclables": (
        "https://raw.githubusercontent.com/etalab/amenagements-cyclables/v0.3.5/exemple-valide.json"
    ),
}


def test_the_six_datasets_of_the_issue_are_declared_with_official_urls() -> None:
    assert {dataset_id: d.url for dataset_id, d in CATALOGUE.items()} == OFFICIAL


@pytest.mark.parametrize("dataset_id", sorted(OFFICIAL))
def test_every_declaration_is_complete(dataset_id: str) -> None:
    dataset = get_dataset(dataset_id)
    assert dataset.theme in ("énergie", "mobilité")
    assert dataset.geometry in ("point", "line", "commune")
    assert dataset.title and dataset.producer and dataset.licence.attribution
    assert dataset.page_url.startswith("https://") and dataset.licence.url.startswith("https://")
    assert dataset.popup_fields and dataset.aggregates
    assert dataset.loader == dataset_id


@pytest.mark.parametrize("dataset_id", sorted(OFFICIAL))
def test_dataset_files_and_schemas_are_sources_held_by_the_mirror(dataset_id: str) -> None:
    dataset = get_dataset(dataset_id)
    names = [dataset.source, *([dataset.schema_source] if dataset.schema_source else [])]
    for name in names:
        assert name in GROUPS["datasets"]
        source = SOURCES[name]
        assert mirror_path(source.url, MIRROR).is_file(), source.url
    assert SOURCES[dataset.source].licence == dataset.licence.name


def test_irve_is_fetched_as_csv_and_the_examples_say_they_are_examples() -> None:
    assert SOURCES["irve"].kind == "csv"
    assert "exemple" in SOURCES["stationnement_velo"].title
    assert "exemple" in SOURCES["amenagements_cyclables"].title


def test_bnlc_is_odbl_with_its_attribution() -> None:
    licence = get_dataset("covoiturage").licence
    assert licence.name.startswith("ODbL") and licence.share_alike
    assert "BNLC" in licence.attribution and "ODbL" in licence.attribution


def test_unknown_dataset_is_a_french_error_listing_ids() -> None:
    with pytest.raises(UnknownDatasetError) as info:
        get_dataset("bornes")
    assert isinstance(info.value, GeoError)
    assert "bornes" in str(info.value) and "irve" in str(info.value)


# --- aggregates -----------------------------------------------------------------------------------


FRAME = pd.DataFrame(
    {
        "code_commune": ["38185", "38185", "38185", "75056", None],
        "id_station_itinerance": ["A", "A", "B", "C", "D"],
        "puissance_kw": [22.0, 50.0, 150.0, np.nan, 50.0],
        "filiere": ["solaire", "eolien", "solaire", "solaire", "solaire"],
    }
)


@pytest.mark.parametrize(
    ("aggregate", "expected"),
    [
        (Aggregate("n", "N", "count"), {"38185": 3, "75056": 1}),
        (Aggregate("kw", "kW", "sum", "puissance_kw"), {"38185": 222.0, "75056": None}),
        (Aggregate("s", "S", "count_distinct", "id_station_itinerance"), {"38185": 2, "75056": 1}),
        (
            Aggregate("n50", "N", "count", where_column="puissance_kw", where_min=50),
            {"38185": 2},
        ),
        (
            Aggregate(
                "s50", "S", "count_distinct", "id_station_itinerance", None, "puissance_kw", 50
            ),
            {"38185": 2},
        ),
    ],
)
def test_aggregates_per_territory(aggregate: Aggregate, expected: dict) -> None:
    result = aggregate.compute(FRAME, group="code_commune")
    got = {key: (None if pd.isna(value) else value) for key, value in result.items()}
    assert got == expected


def test_aggregate_split_by_a_column() -> None:
    aggregate = Aggregate("kw", "kW", "sum", "puissance_kw", by="filiere")
    result = aggregate.compute(FRAME, group="code_commune")
    assert result.loc[("38185", "solaire")] == 172.0
    assert result.loc[("38185", "eolien")] == 50.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "sum"},
        {"kind": "median", "column": "x"},
        {"kind": "count", "where_column": "x"},
    ],
)
def test_bad_aggregates_fail_at_declaration(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        Aggregate("a", "A", **kwargs)


# --- load report ----------------------------------------------------------------------------------


def test_report_contract() -> None:
    report = LoadReport("irve", rows_read=5)
    report.repair("coordonnees_inversees", np.array([True, False, True]))
    report.repair("coordonnees_inversees", 1)
    report.repair("date_fictive", np.array([False]))
    report.reject([9, 3], "coordonnées absentes")
    report.warn_rows(np.array([7, 3]), "code INSEE du fichier ≠ commune localisée")
    report.warn_line(12, "point à 400 km de la commune du code")
    report.warn_line(4, "point à 20 km de la commune du code")
    report.duplicates_removed = 1
    data = report.finish(rows_kept=1, rows_outside=1).to_dict()
    assert list(data) == [
        "dataset",
        "rows_read",
        "rows_kept",
        "rows_rejected",
        "repairs",
        "duplicates_removed",
        "rejections",
        "warnings",
        "line_warnings",
        "rows_outside",
    ]
    assert data["line_warnings"] == [
        {"line": 4, "warning": "point à 20 km de la commune du code"},
        {"line": 12, "warning": "point à 400 km de la commune du code"},
    ]
    assert data["rows_outside"] == 1
    assert data["repairs"] == {"coordonnees_inversees": 3}
    assert data["rejections"] == [
        {"line": 3, "reason": "coordonnées absentes"},
        {"line": 9, "reason": "coordonnées absentes"},
    ]
    assert data["rows_rejected"] == 2
    assert data["warnings"] == [
        "code INSEE du fichier ≠ commune localisée : 2 ligne(s), par ex. lignes 3, 7"
    ]
