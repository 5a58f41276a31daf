"""Columns: repairs counted once per row and kind, unreadable cells warned, rows kept."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from geo.datasets.columns import Columns
from geo.datasets.csvfile import LINE
from geo.datasets.output import write_frame
from geo.datasets.report import LoadReport


def _columns(**data: list[str | None]) -> tuple[Columns, LoadReport]:
    frame = pd.DataFrame({name: pd.Series(values, dtype="str") for name, values in data.items()})
    frame[LINE] = range(2, 2 + len(frame))
    report = LoadReport("t")
    return Columns(frame, report), report


def test_a_row_repaired_in_several_columns_counts_once() -> None:
    columns, report = _columns(a=["TRUE", "true", "1"], b=["FALSE", "oui", "false"])
    values = columns.booleans(["a", "b"])
    assert values["a"].tolist() == [True, True, True]
    assert report.repairs == {"booleen_orthographe": 3}


def test_unreadable_cells_are_warned_and_left_empty() -> None:
    columns, report = _columns(n=["3", "-2", "trois", None])
    values = columns.integers(["n"], minimum=0)["n"]
    assert values.isna().tolist() == [False, True, True, True]
    assert report.warnings == [
        "n n'est pas un entier ≥ 0 (laissé vide) : 2 ligne(s), par ex. lignes 3, 4"
    ]


def test_absent_column_reads_as_missing() -> None:
    columns, report = _columns(a=["x"])
    assert columns.dates(["date_maj"])["date_maj"].isna().all()
    assert columns.texts(["nom"])["nom"].isna().all()
    assert report.warnings == [] and report.repairs == {}


def test_power_and_floats() -> None:
    columns, report = _columns(p=["22000", "7,4 kW"], f=["1,5", "2"])
    assert columns.power_kw("p").tolist() == [22.0, 7.4]
    assert columns.floats(["f"])["f"].tolist() == [1.5, 2.0]
    assert report.repairs == {"puissance_en_watts": 1, "puissance_texte": 1, "nombre_virgule": 1}


def test_lines_are_written_to_csv_as_wkt(tmp_path) -> None:
    frame = gpd.GeoDataFrame(
        {"id": ["a"]}, geometry=[shapely.LineString([(2.30, 48.84), (2.31, 48.85)])], crs=4326
    )
    path = write_frame(frame, tmp_path / "lignes.csv")
    table = pd.read_csv(path)
    assert table.columns.tolist() == ["id", "wkt"]
    assert table["wkt"].item().startswith("LINESTRING")


def test_csv_output_neutralises_spreadsheet_formulas(tmp_path) -> None:
    """A producer's text cell may hold a formula; our CSV never hands it to a spreadsheet."""
    frame = gpd.GeoDataFrame(
        {
            "nom": ['=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", "@SUM(1)", "Borne"],
            "adresse": ["-2+3", "\tx", "\r=1", None],
            "puissance_kw": [-1.5, 22.0, 7.4, 3.0],
        },
        geometry=[shapely.Point(-1.55, 47.2)] * 4,
        crs=4326,
    )
    path = write_frame(frame, tmp_path / "bornes.csv")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    texts = [*table["nom"], *table["adresse"]]
    assert not [v for v in texts if v.startswith(("=", "+", "-", "@", "\t", "\r"))], texts
    assert table["nom"].tolist()[0] == '\'=HYPERLINK("http://evil","x")'
    assert table["nom"].tolist()[3] == "Borne" and table["adresse"].tolist()[3] == ""
    assert table["puissance_kw"].tolist()[0] == "-1.5" and table["lon"].tolist()[0] == "-1.55"
