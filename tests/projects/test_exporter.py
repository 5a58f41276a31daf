"""Exporting projects: three formats, private fields never written, round trip by import."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pyogrio
import pytest
from pg_server import new_store_url
from reference import territories

from geo.cli import main
from geo.projects.demo import DEMO_FILE
from geo.projects.exchange import EXPORT_COLUMNS
from geo.projects.exporter import export_projects
from geo.projects.importer import import_projects
from geo.projects.model import PRIVATE_FIELDS, Project, public_dict
from geo.store.project_store import ProjectFilter, ProjectStore
from geo.territory import TerritoryRef

SUFFIX = {"csv": "csv", "geojson": "geojson", "gpkg": "gpkg"}
#: Set by the store at write time, so different after an import into another store.
_STORE_FIELDS = {"id", "created_at", "updated_at", "last_confirmed_at"}
XSS = {
    "title": "<script>alert('x')</script>",
    "summary": "<img src=x onerror=alert(1)>",
    "description": '[x](javascript:alert(1))\n\n<b>gras</b> ; « guillemets » "doubles"',
}


def open_store(path: Path | str) -> ProjectStore:
    url = path if isinstance(path, str) else f"sqlite:///{path}"
    return ProjectStore(url, locate=territories())


@pytest.fixture
def filled(store_url: str) -> tuple[ProjectStore, str]:
    """The demo projects plus a project with tricky text, an area and a private e-mail (on
    each engine)."""
    store = open_store(store_url)
    report = import_projects(DEMO_FILE, store, territories=territories())
    assert report.rejected == 0
    square = [[5.70, 45.17], [5.74, 45.17], [5.74, 45.20], [5.70, 45.20], [5.70, 45.17]]
    _, token = store.add(
        XSS | {
            "categories": ["velo", "donnees_outils"], "themes": ["mobilite"],
            "carriers": [{"name": "A; B ?", "type": "association"}],
            "lat": 45.1885, "lon": 5.7245, "contact_email": "secret@exemple.org",
            "area": {"type": "Polygon", "coordinates": [square]}, "start_year": 2024,
            "source": "formulaire", "external_id": "x-1", "commons": ["https://exemple.org/a"],
        },
        actor="test",
        status="propose",
    )  # fmt: skip
    yield store, token
    store.close()


def comparable(project: Project) -> dict[str, object]:
    data = public_dict(project)
    return {k: v for k, v in data.items() if k not in _STORE_FIELDS}


@pytest.mark.parametrize("file_format", ["csv", "geojson", "gpkg"])
def test_round_trip_gives_the_same_projects(
    filled: tuple[ProjectStore, str],
    tmp_path: Path,
    file_format: str,
    store_engine: str,
    request: pytest.FixtureRequest,
) -> None:
    store, _ = filled
    path = tmp_path / f"projets.{SUFFIX[file_format]}"
    count = export_projects(store, path, file_format=file_format, territories=territories())
    assert count == store.count() == 42

    (tmp_path / "copy").mkdir()
    copy = open_store(new_store_url(store_engine, tmp_path / "copy", request))
    report = import_projects(path, copy, territories=territories(), status="propose")
    assert (report.created, report.rejected) == (42, 0)
    originals = {(p.source, p.external_id): p for p in store.query(limit=100).items}
    copies = {(p.source, p.external_id): p for p in copy.query(limit=100).items}
    assert copies.keys() == originals.keys()
    for key, original in originals.items():
        expected = comparable(original) | {"status": "propose"}
        assert comparable(copies[key]) == expected, key
        assert copies[key].contact_email is None
    # Importing the export into the store it came from changes nothing.
    again = import_projects(path, store, territories=territories())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 42)
    copy.close()


@pytest.mark.parametrize("file_format", ["csv", "geojson", "gpkg"])
def test_private_fields_never_exported(
    filled: tuple[ProjectStore, str], tmp_path: Path, file_format: str
) -> None:
    store, token = filled
    path = tmp_path / f"projets.{SUFFIX[file_format]}"
    export_projects(store, path, file_format=file_format)
    content = path.read_bytes()
    for secret in (b"secret@exemple.org", b"contact@exemple.org", token.encode()):
        assert secret not in content
    assert b"token" not in content and b"contact_email" not in content
    if file_format == "gpkg":
        columns = set(pyogrio.read_info(path)["fields"])
    elif file_format == "geojson":
        columns = set(json.loads(content)["features"][0]["properties"])
    else:
        columns = set(pd.read_csv(path, sep=";", encoding="utf-8-sig", nrows=0).columns)
    assert not columns & {*PRIVATE_FIELDS, "token", "token_hash", "search_text"}
    assert {"external_id", "title", "themes", "categories", "lat", "lon", "commune"} <= (
        columns | {"lat", "lon"})  # fmt: skip


def test_csv_opens_in_french_excel(filled: tuple[ProjectStore, str], tmp_path: Path) -> None:
    store, _ = filled
    path = tmp_path / "projets.csv"
    export_projects(store, path, file_format="csv", territories=territories())
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    frame = pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(EXPORT_COLUMNS)
    row = frame[frame["external_id"] == "x-1"].iloc[0]
    assert row["title"] == XSS["title"] and row["description"] == XSS["description"]
    assert row["categories"] == "velo;donnees_outils"
    # A name holding the list separator: the carriers are written as JSON, read back as such.
    assert json.loads(row["carriers"]) == [{"name": "A; B ?", "type": "association"}]
    assert row["commune"] == "Grenoble" and row["code_commune"] == "38185"
    assert row["start_year"] == "2024" and row["location_approximate"] == "false"
    assert json.loads(row["area"])["type"] == "Polygon"


def test_geopackage_for_qgis(filled: tuple[ProjectStore, str], tmp_path: Path) -> None:
    store, _ = filled
    path = tmp_path / "projets.gpkg"
    export_projects(store, path, file_format="gpkg", territories=territories())
    (layer,) = pyogrio.list_layers(path)
    assert tuple(layer) == ("projets", "Point")
    info = pyogrio.read_info(path)
    assert info["crs"] == "EPSG:4326" and info["features"] == 42
    frame = pyogrio.read_dataframe(path)
    row = frame[frame["external_id"] == "exemple-001"].iloc[0]
    assert row["categories"] == "solaire;communaute_energetique"
    assert row["carrier_type"] == "cooperative;collectif_citoyen"
    assert row["power_kwc"] == 420.0 and row["citizen_shareholders"] == 310
    assert row.geometry.x == pytest.approx(5.7263) and row.geometry.y == pytest.approx(45.1862)


def test_geojson_feature_collection(filled: tuple[ProjectStore, str], tmp_path: Path) -> None:
    store, _ = filled
    path = tmp_path / "projets.geojson"
    export_projects(store, path, file_format="geojson")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 42
    feature = next(f for f in data["features"] if f["properties"]["external_id"] == "x-1")
    assert feature["geometry"] == {"type": "Point", "coordinates": [5.7245, 45.1885]}
    assert feature["properties"]["carriers"] == [{"name": "A; B ?", "type": "association"}]
    assert feature["properties"]["themes"] == ["mobilite"]


def test_filters_and_statuses(filled: tuple[ProjectStore, str], tmp_path: Path) -> None:
    store, _ = filled
    path = tmp_path / "f.csv"

    def exported(**criteria: object) -> list[str]:
        export_projects(store, path, file_format="csv", criteria=ProjectFilter(**criteria))
        frame = pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str)
        return sorted(frame["external_id"])

    assert len(exported()) == 42  # every status unless asked
    assert "x-1" not in exported(statuses=("publie",))
    paris = exported(territory=TerritoryRef("departement", "75"))
    assert paris == [f"exemple-0{n}" for n in range(28, 34)]
    assert exported(categories=("hydroelectricite",), stages=("termine",)) == ["exemple-023"]
    assert exported(text="velobus", themes=("mobilite",)) == ["exemple-009", "exemple-030"]
    assert exported(text="aucun projet ne dit cela") == []
    assert pd.read_csv(path, sep=";", encoding="utf-8-sig").empty  # header only


def test_export_command(
    geo_env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    assert main(["projects", "import", str(DEMO_FILE), "--status", "propose"]) == 0
    assert "41 ligne(s) lue(s), 41 créée(s)" in capsys.readouterr().out
    out = tmp_path / "isere.gpkg"
    args = ["projects", "export", "--format", "gpkg", "--out", str(out), "--departement", "38",
            "--category", "solaire", "--json"]  # fmt: skip
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["exported"] == 4
    frame = pyogrio.read_dataframe(out)
    assert set(frame["code_departement"]) == {"38"} and set(frame["status"]) == {"propose"}
    # The spreadsheet for LibreOffice / Excel set to French: codes stay text ("01024").
    sheet = tmp_path / "isere.xlsx"
    assert main(["projects", "export", "--format", "xlsx", "--out", str(sheet),
                 "--departement", "38", "--json"]) == 0  # fmt: skip
    exported = json.loads(capsys.readouterr().out)["exported"]
    rows = list(openpyxl.load_workbook(sheet).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == exported + 1 > 1
    column = next(i for i, name in enumerate(rows[0]) if name.lower().startswith("code commune"))
    assert all(isinstance(row[column], str) and row[column].startswith("38") for row in rows[1:])
    assert main(["projects", "export", "--format", "csv", "--out", str(tmp_path / "x.csv"),
                 "--near", "45,5"]) == 1  # fmt: skip
    assert "--near attend 3 nombres" in capsys.readouterr().err
    assert not list(tmp_path.glob(".*partial*"))  # no temporary file left behind


def test_export_by_an_old_commune_code_exports_the_current_commune(
    geo_env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Arzay (38016) is a commune déléguée of Porte-des-Bonnevaux (38479)."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'old.sqlite'}")
    project = tmp_path / "bonnevaux.json"
    project.write_text(
        json.dumps({"title": "Chaufferie des Bonnevaux", "themes": ["energie"],
                    "stage": "idee", "lat": 45.431925, "lon": 5.221868}),
        encoding="utf-8",
    )  # fmt: skip
    assert main(["projects", "add", "--json-file", str(project)]) == 0
    capsys.readouterr()
    out = tmp_path / "arzay.geojson"
    args = ["projects", "export", "--format", "geojson", "--out", str(out), "--commune", "38016",
            "--json"]  # fmt: skip
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["exported"] == 1
    feature = json.loads(out.read_text(encoding="utf-8"))["features"][0]
    assert feature["properties"]["code_commune"] == "38479"
    assert main([*args[:-3], "--commune", "99999"]) == 1
    assert "Aucun territoire de niveau commune" in capsys.readouterr().err


@pytest.mark.parametrize("file_format", ["csv", "geojson", "gpkg"])
def test_empty_export_is_a_valid_file(tmp_path: Path, file_format: str) -> None:
    store = open_store(tmp_path / "empty.sqlite")
    path = tmp_path / f"vide.{SUFFIX[file_format]}"
    assert export_projects(store, path, file_format=file_format) == 0
    report = import_projects(path, store, territories=territories())
    assert (report.rows_read, report.created) == (0, 0)
    if file_format == "gpkg":
        assert pyogrio.read_info(path)["features"] == 0
        assert pyogrio.read_info(path)["crs"] == "EPSG:4326"
    store.close()


# --- spreadsheet formulas (issue 11) --------------------------------------------------------

FORMULAS = {
    "title": '=HYPERLINK("http://evil","x")',
    "summary": "\t+cmd|' /C calc'!A0",  # the model strips the tab: "+" comes first
    "description": "-2+3+cmd|' /C calc'!A0",
    "address": "@SUM(1)",
    "licence": "'=déjà neutralisé",
    "carriers": [{"name": "=1+1", "type": "association"}],
}
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _formula_store(tmp_path: Path) -> ProjectStore:
    store = open_store(tmp_path / "formules.sqlite")
    store.add(
        FORMULAS | {"themes": ["mobilite"], "lat": 47.2184, "lon": -1.5536, "source": "essai",
                    "external_id": "f1"},
        actor="test",
    )  # fmt: skip
    return store


def _csv_cells(content: bytes) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_csv_export_neutralises_spreadsheet_formulas(tmp_path: Path) -> None:
    store = _formula_store(tmp_path)
    path = tmp_path / "projets.csv"
    export_projects(store, path, file_format="csv")
    [row] = _csv_cells(path.read_bytes())
    text_cells = {k: v for k, v in row.items() if k not in ("lat", "lon")}
    assert not [v for v in text_cells.values() if v.startswith(_TRIGGERS)], text_cells
    assert row["title"] == "'" + FORMULAS["title"]
    assert row["licence"] == "''=déjà neutralisé"  # reversible: one quote more
    assert row["lon"] == "-1.5536"  # numbers stay numbers
    # The app's download writes the same cells.
    from geo.explorer.export import export_file

    [cells] = _csv_cells(export_file("csv", (1,), store, ProjectFilter(), None))
    assert cells == row
    # And the export imports back into the very same project.
    again = import_projects(path, store, territories=territories(), source="essai")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    store.close()


def test_the_apps_downloads_need_no_disk(tmp_path: Path) -> None:
    """The Explorer builds its files in memory: a full disk cannot break a download."""
    from limited import run_geo_limited

    store = open_store(tmp_path / "source.sqlite")
    import_projects(DEMO_FILE, store, territories=territories())
    store.close()
    code = f"""
from geo.explorer.export import export_file
from geo.store import ProjectFilter, ProjectStore
store = ProjectStore("sqlite:///{tmp_path / "source.sqlite"}", locate=lambda lat, lon: None)
store.count()
limit()  # from here on, no file may grow by a single byte
for name in ("csv", "geojson", "gpkg"):
    data = export_file(name, tuple(range(1, 42)), store, ProjectFilter())
    print(name, len(data))
"""
    done = run_geo_limited("fsize", 0, ["--exec", code])
    assert done.returncode == 0, done.stderr[-2000:]
    sizes = dict(line.split() for line in done.stdout.splitlines())
    assert set(sizes) == {"csv", "geojson", "gpkg"} and all(int(v) > 1000 for v in sizes.values())
