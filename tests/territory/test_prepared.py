"""The prepared reference: built once per edition, reused, rebuilt when stale or damaged, and
answering exactly as the reference computed from the files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from reference import MIRROR, require_mirror, territories

from geo.settings import get_settings
from geo.territory import TerritoryRef, load_territories
from geo.territory.loading import PREPARED_DIR, forget_loaded
from geo.territory.prepared import MANIFEST

COG_COMMUNES = "unpkg.com/@etalab/decoupage-administratif@6.0.0/data/communes.json"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data directory of its own, fed from a copy of the mirror the test may change."""
    require_mirror()
    mirror = tmp_path / "mirror"
    shutil.copytree(MIRROR, mirror, ignore=shutil.ignore_patterns("*irve*", "*covoiturage*"))
    monkeypatch.setenv("GEO_DATA_MIRROR", str(mirror))
    monkeypatch.setenv("GEO_DATA_DIR", str(tmp_path / "data"))
    forget_loaded()
    yield tmp_path / "data"
    forget_loaded()


def _folders(data_dir: Path) -> list[Path]:
    return sorted((data_dir / PREPARED_DIR).glob("territoires-*"))


def _load() -> object:
    forget_loaded()
    return load_territories(get_settings())


def test_prepared_once_then_reused(data_dir: Path) -> None:
    first = _load()
    [folder] = _folders(data_dir)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["inputs"]) >= {"contours-communes", "cog-communes"}
    stamp = (folder / MANIFEST).stat().st_mtime_ns
    second = _load()
    assert second is not first  # opened again, not rebuilt:
    assert _folders(data_dir) == [folder] and (folder / MANIFEST).stat().st_mtime_ns == stamp
    assert second.locate([45.1885], [5.7245])["code_commune"].tolist() == ["38185"]


def test_a_damaged_file_is_rebuilt_never_used(data_dir: Path) -> None:
    _load()
    [folder] = _folders(data_dir)
    grid = folder / "locate" / "grid-0.npy"
    data = bytearray(grid.read_bytes())
    data[-4000:] = b"\xff" * 4000  # a plausible file of the right size, wrong cells
    grid.write_bytes(bytes(data))
    reloaded = _load()
    assert reloaded.locate([45.1885, 48.8566], [5.7245, 2.3522])["code_commune"].tolist() == [
        "38185",
        "75056",
    ]
    assert (folder / "locate" / "grid-0.npy").read_bytes() != bytes(data)


def test_an_unfinished_folder_is_rebuilt(data_dir: Path) -> None:
    _load()
    [folder] = _folders(data_dir)
    (folder / MANIFEST).unlink()
    (folder / "display-commune.parquet").unlink()
    reloaded = _load()
    assert reloaded.outline("commune", "38185") is not None
    assert (folder / MANIFEST).is_file()


def test_a_new_edition_is_detected_and_prepared(data_dir: Path) -> None:
    from geo.cli import main

    _load()
    [old] = _folders(data_dir)
    # The next COG edition renames Grenoble (one changed file in the mirror).
    cog = Path(get_settings().mirror) / COG_COMMUNES
    rows = json.loads(cog.read_text(encoding="utf-8"))
    for row in rows:
        if row["code"] == "38185" and row.get("type", "commune-actuelle") == "commune-actuelle":
            row["nom"] = "Grenoble-Nouvelle"
    cog.write_text(json.dumps(rows), encoding="utf-8")
    assert main(["data", "fetch", "cog-communes", "--force"]) == 0
    [new] = _folders(data_dir)
    assert new != old and not old.exists()
    reloaded = _load()
    assert reloaded.nom("commune", "38185") == "Grenoble-Nouvelle"


def test_prepared_answers_as_the_files_do(data_dir: Path) -> None:
    prepared, built = _load(), territories()
    rng = np.random.default_rng(1)
    lat, lon = rng.uniform(44.6, 46.0, 20_000), rng.uniform(4.7, 6.4, 20_000)
    assert prepared.locate(lat, lon).equals(built.locate(lat, lon))
    for level, code in (("commune", "38185"), ("epci", "200040715"), ("departement", "38")):
        assert prepared.neighbours(level, code) == built.neighbours(level, code)
        assert prepared.outline(level, code).equals(built.outline(level, code))
        assert prepared.resolve(level, code) == TerritoryRef(level, code)
    assert prepared.search("st martin d'heres")[0] == built.search("st martin d'heres")[0]
    assert prepared.representative_points().equals(built.representative_points())
    assert prepared.loaded_communes == built.loaded_communes
    assert prepared.unknown_outline_codes == built.unknown_outline_codes


def _resident_index_kb(folder: Path) -> int:
    """Resident kB of this process's mappings of the prepared locate index's files."""
    total, current = 0, ""
    for line in Path("/proc/self/smaps").read_text().splitlines():
        if line[:1] in "0123456789abcdef" and "-" in line.split(" ", 1)[0]:
            current = line.split(maxsplit=5)[5] if len(line.split()) > 5 else ""
        elif line.startswith("Rss:") and current.startswith(str(folder)):
            total += int(line.split()[1])
    return total


def test_the_index_pages_read_by_locating_are_given_back(data_dir: Path) -> None:
    prepared = _load()
    rng = np.random.default_rng(2)
    lat, lon = rng.uniform(44.6, 46.0, 20_000), rng.uniform(4.7, 6.4, 20_000)
    first = prepared.locate(lat, lon)
    index = _folders(data_dir)[0]
    assert _resident_index_kb(index) > 0
    prepared.release_index_pages()
    assert _resident_index_kb(index) == 0
    # Read again from the files (the system's cache): the same answers.
    assert prepared.locate(lat, lon).equals(first)
    assert _resident_index_kb(index) > 0
    territories().release_index_pages()  # a reference built from the files: nothing to give
