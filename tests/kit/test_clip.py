"""Clipping published files: records kept byte for byte by the line they start on (BOM,
CRLF, quoted line breaks, Windows-1252), JSON exports by record, outlines and COG lists by
code, GeoJSON by geometry."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import shapely

from geo.datasets.csvfile import read_csv_table
from geo.datasets.jsonfile import read_json_records
from geo.datasets.report import LoadReport
from geo.kit import clip

CSV = (
    "\ufeffid;nom;commune\r\n"
    '1;"Parking\r\ndu marché";38185\r\n'
    "2;Gare;75056\r\n"
    '3;"Place ""Grenette""";38185\r\n'
)


def test_csv_records_are_kept_as_published(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(CSV.encode("utf-8"))
    lines = read_csv_table(
        source, required=["commune"], title="essai", report=LoadReport("essai")
    ).frame
    # The reader's own line numbers: record 1 starts on line 2 and spans two lines.
    wanted = lines.loc[lines["commune"] == "38185", "_ligne"].tolist()
    assert wanted == [2, 5]
    target = tmp_path / "out" / "clip.csv"
    assert clip.clip_csv(source, target, wanted) == 2
    assert target.read_bytes() == (
        '\ufeffid;nom;commune\r\n1;"Parking\r\ndu marché";38185\r\n3;"Place ""Grenette""";38185\r\n'
    ).encode("utf-8")


def test_a_windows_1252_file_stays_windows_1252(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes("id,nom\n1,Vélo\n2,Énergie\n".encode("cp1252"))
    target = tmp_path / "clip.csv"
    assert clip.clip_csv(source, target, [3]) == 1
    assert target.read_bytes() == "id,nom\n2,Énergie\n".encode("cp1252")


def test_a_csv_with_nothing_kept_keeps_its_header(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(b"a,b\n1,2")
    target = tmp_path / "clip.csv"
    assert clip.clip_csv(source, target, []) == 0
    assert target.read_bytes() == b"a,b\n"


def test_json_records_by_the_line_they_open_on(tmp_path: Path) -> None:
    records = [{"code": "38185", "n": 1}, {"code": "75056", "n": 2}, {"code": "38185", "n": 3}]
    for layout in (
        json.dumps(records),
        json.dumps(records, indent=2),
        json.dumps({"results": records}, indent=1),
    ):
        source = tmp_path / "in.json"
        source.write_text(layout, encoding="utf-8")
        frame = read_json_records(
            source, required=["code"], title="essai", report=LoadReport("essai")
        )
        wanted = frame.loc[frame["code"] == "38185", "_ligne"].tolist()
        target = tmp_path / "clip.json"
        assert clip.clip_json_records(source, target, wanted) == 2
        kept = json.loads(target.read_text(encoding="utf-8"))
        assert [r["n"] for r in kept] == [1, 3]
        # The clipped file numbers its records by line in turn: it can be read the same way.
        again = read_json_records(
            target, required=["code"], title="essai", report=LoadReport("essai")
        )
        assert again["code"].tolist() == ["38185", "38185"]


def test_outlines_and_cog_lists_by_code(tmp_path: Path) -> None:
    features = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": c}, "geometry": None}
            for c in ("38185", "38151", "75056")
        ],
    }
    source = tmp_path / "contours.geojson"
    source.write_text(json.dumps(features), encoding="utf-8")
    assert clip.clip_features(source, tmp_path / "c.geojson", {"38185", "38151"}) == 2
    communes = [
        {"code": "38185", "type": "commune-actuelle"},
        {"code": "75056", "type": "commune-actuelle"},
        {"code": "38999", "type": "commune-deleguee", "chefLieu": "38185"},
        {"code": "75101", "type": "arrondissement-municipal", "commune": "75056"},
    ]
    cog = tmp_path / "communes.json"
    cog.write_text(json.dumps(communes), encoding="utf-8")
    assert clip.clip_cog_communes(cog, tmp_path / "k.json", {"38185"}) == 2
    kept = json.loads((tmp_path / "k.json").read_text(encoding="utf-8"))
    assert [r["code"] for r in kept] == ["38185", "38999"]
    epci = [
        {
            "code": "200040715",
            "populationMunicipale": 450000,
            "membres": [{"code": "38185"}, {"code": "38151"}],
        },
        {"code": "200054781", "membres": [{"code": "75056"}]},
    ]
    source = tmp_path / "epci.json"
    source.write_text(json.dumps(epci), encoding="utf-8")
    assert clip.clip_cog_epci(source, tmp_path / "e.json", {"200040715"}, {"38185"}) == 1
    (metro,) = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    assert metro["membres"] == [{"code": "38185"}] and metro["populationMunicipale"] == 450000


def test_geojson_features_crossing_the_area(tmp_path: Path) -> None:
    lanes = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"n": 1},
                "geometry": {"type": "LineString", "coordinates": [[5.70, 45.18], [5.74, 45.19]]},
            },
            {
                "type": "Feature",
                "properties": {"n": 2},
                "geometry": {"type": "LineString", "coordinates": [[2.30, 48.85], [2.35, 48.86]]},
            },
            {"type": "Feature", "properties": {"n": 3}, "geometry": None},
        ],
    }
    source = tmp_path / "lanes.geojson"
    source.write_text(json.dumps(lanes), encoding="utf-8")
    area = shapely.box(5.6, 45.1, 5.9, 45.3)
    assert clip.clip_geojson(source, tmp_path / "k.geojson", area) == 1
    kept = json.loads((tmp_path / "k.geojson").read_text(encoding="utf-8"))
    assert [f["properties"]["n"] for f in kept["features"]] == [1]


def test_an_address_file_keeps_the_lines_of_the_kits_communes_byte_for_byte(
    tmp_path: Path,
) -> None:
    published = Path(__file__).resolve().parents[1] / "data" / "ban" / "adresses-38.csv"
    lines = published.read_bytes().splitlines(keepends=True)
    packed = tmp_path / "adresses-38.csv.gz"
    packed.write_bytes(gzip.compress(published.read_bytes()))
    target = tmp_path / "kit" / "adresses-38.csv"
    assert clip.clip_addresses(packed, target, {"38140", "38421"}) == 3
    assert target.read_bytes().splitlines(keepends=True) == [
        lines[0],
        *(line for line in lines[1:] if b";38140;" in line or b";38421;" in line),
    ]
    other = tmp_path / "adresses-73.csv"
    other.write_text("id;nom\n1;x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="pas de colonne code_insee"):
        clip.clip_addresses(other, tmp_path / "kit" / "adresses-73.csv", {"73065"})
    assert not (tmp_path / "kit" / "adresses-73.csv").exists()
