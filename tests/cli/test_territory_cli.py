"""``python -m geo territory …`` and ``bench territories``, called through ``geo.cli``.

The settings point at the real mirror and a temporary data directory. The reference is loaded
through the real loader once per module (fetched from the mirror into the data directory);
the other tests reuse it so that each command does not rebuild it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from reference import require_mirror

from geo import bench
from geo.cli import main
from geo.cli import territory as territory_cli
from geo.territory import Territories, load_territories

CONTRACT = [
    "lat",
    "lon",
    "code_commune",
    "nom_commune",
    "code_epci",
    "nom_epci",
    "code_departement",
    "code_region",
]
OUT_COLUMNS = [
    "code_commune",
    "nom_commune",
    "code_epci",
    "nom_epci",
    "code_departement",
    "code_region",
]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Territories]:
    mirror = require_mirror()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GEO_DATA_MIRROR", str(mirror))
        patch.setenv("GEO_DATA_DIR", str(tmp_path_factory.mktemp("geo-data")))
        patch.setenv("GEO_OFFLINE", "1")  # the mirror is enough: no network
        yield load_territories()


@pytest.fixture(autouse=True)
def cli_env(loaded: Territories, monkeypatch: pytest.MonkeyPatch) -> None:
    def load(settings: object = None) -> Territories:
        return loaded

    monkeypatch.setattr(territory_cli, "load_territories", load)
    monkeypatch.setattr(bench, "load_territories", load)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- locate points ----------------------------------------------------------------------------


def test_locate_through_the_real_loader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.undo()  # the real loader, into a fresh data directory
    monkeypatch.setenv("GEO_DATA_MIRROR", str(require_mirror()))
    monkeypatch.setenv("GEO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GEO_OFFLINE", "1")
    code, out, err = run(capsys, "territory", "locate", "45.1885", "5.7245", "--json")
    assert code == 0, err
    assert json.loads(out)[0]["code_commune"] == "38185"
    assert (tmp_path / "data" / "manifest.json").is_file()


def test_locate_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "territory", "locate", "45.1885", "5.7245", "--json")
    assert code == 0, err
    assert json.loads(out) == [
        {
            "lat": 45.1885,
            "lon": 5.7245,
            "code_commune": "38185",
            "nom_commune": "Grenoble",
            "code_epci": "200040715",
            "nom_epci": "Grenoble-Alpes-Métropole",
            "code_departement": "38",
            "code_region": "84",
        }
    ]
    assert list(json.loads(out)[0]) == CONTRACT


def test_locate_several_points_with_the_sea(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "territory",
        "locate",
        "43.0",
        "5.0",
        "48.8566",
        "2,3522",
        "45.764",
        "4.8357",
        "--json",
    )
    assert code == 0
    records = json.loads(out)
    assert "NaN" not in out
    assert [list(r) for r in records] == [CONTRACT] * 3
    assert records[0] == {"lat": 43.0, "lon": 5.0, **dict.fromkeys(CONTRACT[2:])}
    assert records[1]["code_commune"] == "75056"
    assert records[1]["lon"] == 2.3522  # the comma decimal is read, and printed as a number
    assert records[1]["nom_epci"] == "Métropole du Grand Paris"
    assert records[2]["code_commune"] is None  # Lyon: not among the loaded communes


def test_locate_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "territory", "locate", "45.1885", "5.7245")
    assert code == 0
    assert out.strip().split(" ") == [
        "lat=45.1885",
        "lon=5.7245",
        "code_commune=38185",
        "nom_commune=Grenoble",
        "code_epci=200040715",
        "nom_epci=Grenoble-Alpes-Métropole",
        "code_departement=38",
        "code_region=84",
    ]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["45.1885"], "Donnez des paires LAT LON"),
        ([], "Donnez des paires LAT LON"),
        (["45.1885", "5.7245", "43.0"], "Donnez des paires LAT LON"),
        (["abc", "5.7245"], "Coordonnées invalides pour les points n°1 (abc 5.7245)"),
        (["45.1885", "5.7245", "95", "5"], "Coordonnées invalides pour les points n°2 (95 5)"),
        (["45.1885", "-200"], "n°1 (45.1885 -200)"),
        (["nan", "5", "45", "x"], "n°1 (nan 5), n°2 (45 x)"),
    ],
)
def test_locate_bad_arguments(
    capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    code, out, err = run(capsys, "territory", "locate", *args, "--json")
    assert code == 1
    assert out == ""
    assert err.startswith("Erreur : ")
    assert words in err


# --- search -----------------------------------------------------------------------------------


def test_search_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "territory", "search", "38000", "--json")
    assert code == 0
    results = json.loads(out)
    assert isinstance(results, list)
    assert results[0]["level"] == "commune"
    assert results[0]["code"] == "38185"
    assert results[0]["nom"] == "Grenoble"
    assert all({"level", "code", "nom", "parent", "population", "match"} <= set(r) for r in results)


def test_search_text_and_limit(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "territory", "search", "saint", "--limit", "3")
    assert code == 0
    assert len(out.strip().splitlines()) == 3
    code, out, _ = run(capsys, "territory", "search", "grenoble")
    assert out.splitlines()[0].split() == ["commune", "38185", "Grenoble", "(commune,", "Isère)"]


def test_search_without_result(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "territory", "search", "zzzzqqqq")
    assert (code, out) == (0, "")
    assert "Aucun territoire ne correspond à 'zzzzqqqq'" in err
    code, out, _ = run(capsys, "territory", "search", "zzzzqqqq", "--json")
    assert json.loads(out) == []


# --- locate a CSV -----------------------------------------------------------------------------

#: (id, lat, lon, expected commune); rows 3 and 5 (file lines 4 and 6) are invalid.
CSV_ROWS = [
    ("a", "45.1885", "5.7245", "38185"),
    ("b", "48.8566", "2.3522", "75056"),
    ("c", "abc", "5.7245", ""),
    ("d", "43.0", "5.0", ""),
    ("e", "", "5.7245", ""),
    ("f", "45.19", "5.76", "38421"),
    ("g", "45,1885", "5,7245", "38185"),
]
BAD_LINES = [4, 6]


def _write_csv(path: Path, *, sep: str, bom: bool = False, crlf: bool = False) -> Path:
    def quote(value: str) -> str:
        return f'"{value}"' if sep in value else value

    lines = [sep.join(["id", "lat", "lon", "label"])]
    lines += [sep.join([i, quote(lat), quote(lon), f"point {i}"]) for i, lat, lon, _ in CSV_ROWS]
    text = ("\r\n" if crlf else "\n").join(lines) + "\n"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def _read_output(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.mark.parametrize(
    ("sep", "bom", "crlf"),
    [(",", False, False), (";", False, False), (";", True, True), (",", True, False)],
    ids=["comma", "semicolon", "semicolon-bom-crlf", "comma-bom"],
)
def test_locate_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sep: str, bom: bool, crlf: bool
) -> None:
    source = _write_csv(tmp_path / "in.csv", sep=sep, bom=bom, crlf=crlf)
    target = tmp_path / "out.csv"
    code, out, err = run(capsys, "territory", "locate", "--csv", str(source), "--out", str(target))
    assert code == 0, err
    result = _read_output(target)
    assert list(result.columns) == ["id", "lat", "lon", "label", *OUT_COLUMNS]
    assert len(result) == len(CSV_ROWS)
    assert result["id"].tolist() == [row[0] for row in CSV_ROWS]  # order kept
    assert result["code_commune"].tolist() == [row[3] for row in CSV_ROWS]
    assert result["lat"].tolist() == [row[1] for row in CSV_ROWS]  # input kept as written
    assert result.loc[0, "nom_epci"] == "Grenoble-Alpes-Métropole"
    for row in (2, 4):
        assert (result.loc[row, OUT_COLUMNS] == "").all()
    assert "lignes 4, 6" in err
    assert "2 ligne(s) aux coordonnées invalides" in err
    assert "7 lignes : 4 localisées, 1 hors des communes chargées, 2 invalides" in err
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize("chunk_size", [1, 2, 3])
def test_locate_csv_in_chunks_gives_the_same_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], chunk_size: int
) -> None:
    source = _write_csv(tmp_path / "in.csv", sep=";")
    whole, chunked = tmp_path / "whole.csv", tmp_path / "chunked.csv"
    assert run(capsys, "territory", "locate", "--csv", str(source), "--out", str(whole))[0] == 0
    code, out, err = run(
        capsys,
        "territory",
        "locate",
        "--csv",
        str(source),
        "--out",
        str(chunked),
        "--chunk-size",
        str(chunk_size),
        "--json",
    )
    assert code == 0, err
    assert chunked.read_bytes() == whole.read_bytes()
    assert len(_read_output(chunked)) == len(CSV_ROWS)
    summary = json.loads(out)
    assert summary == {
        "rows": 7,
        "located": 4,
        "outside": 1,
        "invalid": 2,
        "invalid_lines": BAD_LINES,
        "out": str(chunked),
    }
    assert "lignes 4, 6" in err


@pytest.mark.parametrize(
    ("header", "args", "words"),
    [
        ("id,latitude,longitude\na,45.1885,5.7245\n", [], None),
        ("id,y,x\na,45.1885,5.7245\n", [], None),
        ("id,lat\na,45.1885\n", [], "colonnes de coordonnées introuvables"),
        ("id,lat,lon\na,45.1885,5.7245\n", ["--no-out"], "--csv demande aussi --out"),
    ],
    ids=["latitude-longitude", "x-y", "no-lon", "no-out"],
)
def test_locate_csv_columns(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    header: str,
    args: list[str],
    words: str | None,
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(header, encoding="utf-8")
    target = tmp_path / "out.csv"
    out_args = [] if args == ["--no-out"] else ["--out", str(target)]
    code, _, err = run(capsys, "territory", "locate", "--csv", str(source), *out_args)
    if words is None:
        assert code == 0, err
        assert _read_output(target)["code_commune"].tolist() == ["38185"]
    else:
        assert code == 1
        assert err.startswith("Erreur : ")
        assert words in err
        assert not target.exists()


def test_locate_csv_missing_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.csv"
    code, _, err = run(
        capsys, "territory", "locate", "--csv", str(tmp_path / "absent.csv"), "--out", str(target)
    )
    assert code == 1
    assert "Lecture ou écriture impossible" in err
    assert not target.exists()
    assert not list(tmp_path.glob("*.partial"))


# --- bench ------------------------------------------------------------------------------------


def test_bench_territories(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The benchmark points this process at the mirror it measures: restored after the test.
    monkeypatch.setenv("GEO_DATA_MIRROR", "")
    monkeypatch.setenv("GEO_DATA_DIR", str(tmp_path))
    mirror = str(require_mirror())
    code, out, err = run(
        capsys, "bench", "territories", "--points", "20000", "--repeat", "1", "--json",
        "--mirror", mirror,
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    assert {"points", "locate_points_per_s", "sjoin_points_per_s"} <= set(result)
    assert result["points"] == 20_000
    assert result["communes"] == 513
    assert result["agreement_with_sjoin"] == 1.0
    assert result["mirror"] == str(Path(mirror).resolve())
    assert 0.5 < result["share_located"] <= 1.0
    # The host's speed before and after, to compare runs taken at different hours.
    assert len(result["host_loop_seconds"]) == 2
    assert all(seconds > 0 for seconds in result["host_loop_seconds"])
