"""The territory reference prepared once per edition, in a form that loads in milliseconds.

A prepared reference is a folder ``GEO_DATA_DIR/prepared/territoires-<key>/`` where ``key`` is
the sha256 of the inputs' own sha256 (the eight reference files) and of
:data:`PREPARED_VERSION`: a new edition of any file, or a new way of preparing, gives a new
folder, and a stale one is never used. It holds

- the COG tables and the old → current commune codes (Parquet);
- per level, the exact and the display outlines (GeoParquet, sorted by code in small row
  groups, so one territory's outline is read without the others);
- the locate index (``locate/*.npy``, memory-mapped, see :mod:`geo.territory.locate`);
- the neighbours of every territory, a representative point of each commune, the search
  names;
- ``prepared.json``, written last: the key, the inputs, and the size and CRC-32 of every file.
  A folder without it is unfinished; a file whose size or checksum differs is corrupt: both
  are rebuilt, never read (:class:`PreparedCorrupt`).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zlib
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import shapely

from geo.errors import DataUnavailableError
from geo.territory.locate import GridLocator
from geo.territory.outlines import BuiltOutlines
from geo.territory.ref import LEVELS
from geo.territory.reference import Cog

#: Bump when what is prepared or how changes: every prepared folder is then rebuilt.
PREPARED_VERSION = 5
MANIFEST = "prepared.json"
#: ``{file: [size, mtime_ns]}`` of the files whose checksum was verified: an unchanged file is
#: not read again at every start (a damaged or rewritten one has another size or time).
VERIFIED = "verified.json"
#: Rows per Parquet row group: a lookup by code reads one group of outlines, not all.
_ROW_GROUP = 512
_CHUNK = 1 << 20


class PreparedCorrupt(DataUnavailableError):
    """A prepared folder is unfinished, of another version, or one of its files is damaged."""


def folder_name(key: str) -> str:
    return f"territoires-{key[:20]}"


# --- writing -------------------------------------------------------------------------------------


def write_prepared(
    target: Path, key: str, inputs: Mapping[str, str], cog: Cog, built: BuiltOutlines
) -> Path:
    """Write the prepared reference of ``built`` in ``target`` (atomically: built beside it
    and renamed into place). Returns ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".preparing-", dir=target.parent))
    try:
        _write_cog(work, cog)
        # The locate index first, saved and dropped: its build is the memory peak.
        built.locator().save(work / "locate")
        np.save(work / "pixels.npy", built.national_pixels())
        built.drop_locator()
        for level in LEVELS:
            _write_outlines(work / f"exact-{level}.parquet", built.exact(level))
            _write_outlines(work / f"display-{level}.parquet", built.display(level))
            built.neighbours(level).to_parquet(work / f"neighbours-{level}.parquet", index=False)
        built.points().to_parquet(work / "points.parquet")
        meta = {
            "version": PREPARED_VERSION,
            "key": key,
            "inputs": dict(inputs),
            "unknown_outline_codes": built.unknown_outline_codes,
            "coordinates": {level: built.coordinates(level) for level in LEVELS},
            "files": {
                str(path.relative_to(work)): _fingerprint(path)
                for path in sorted(work.rglob("*"))
                if path.is_file()
            },
        }
        (work / MANIFEST).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        if target.exists():  # a damaged or unfinished copy (the caller holds the lock)
            shutil.rmtree(target)
        os.replace(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return target


def _write_cog(folder: Path, cog: Cog) -> None:
    communes = cog.communes.assign(codes_postaux=cog.communes["codes_postaux"].map(list))
    communes.to_parquet(folder / "cog-communes.parquet", index=False)
    cog.epci.to_parquet(folder / "cog-epci.parquet", index=False)
    cog.departements.to_parquet(folder / "cog-departements.parquet", index=False)
    cog.regions.to_parquet(folder / "cog-regions.parquet", index=False)
    codes = pd.DataFrame(
        {"old": list(cog.current_code), "current": list(cog.current_code.values())}
    )
    codes.to_parquet(folder / "cog-codes.parquet", index=False)


def _write_outlines(path: Path, frame: gpd.GeoDataFrame) -> None:
    table = pa.table(
        {
            "code": pa.array(frame["code"].astype(str).tolist(), pa.string()),
            "nom": pa.array(frame["nom"].astype(str).tolist(), pa.string()),
            "geometry": pa.array(shapely.to_wkb(frame.geometry.to_numpy()), pa.binary()),
        }
    )
    pq.write_table(table, path, row_group_size=_ROW_GROUP, compression="zstd")


def _fingerprint(path: Path) -> dict[str, int]:
    crc = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return {"size": path.stat().st_size, "crc32": crc}


# --- reading -------------------------------------------------------------------------------------


class PreparedOutlines:
    """The derived outlines of :class:`BuiltOutlines`, read from a prepared folder (only what
    is asked, when it is asked)."""

    def __init__(self, folder: Path, meta: Mapping[str, Any]) -> None:
        self.folder = folder
        self.unknown_outline_codes = list(meta["unknown_outline_codes"])
        self._coordinates = dict(meta["coordinates"])
        self._cache: dict[tuple[str, str], Any] = {}

    def commune_codes(self) -> np.ndarray:
        key = ("codes", "commune")
        if key not in self._cache:
            table = pq.read_table(self.folder / "exact-commune.parquet", columns=["code"])
            self._cache[key] = np.asarray(table.column("code").to_pylist(), dtype=object)
        return self._cache[key]

    def exact(self, level: str, codes: Collection[str] | None = None) -> gpd.GeoDataFrame:
        return self._outlines("exact", level, codes)

    def display(self, level: str, codes: Collection[str] | None = None) -> gpd.GeoDataFrame:
        return self._outlines("display", level, codes)

    def coordinates(self, level: str) -> int:
        return int(self._coordinates[level])

    def neighbours(self, level: str) -> pd.DataFrame:
        key = ("neighbours", level)
        if key not in self._cache:
            self._cache[key] = pd.read_parquet(self.folder / f"neighbours-{level}.parquet")
        return self._cache[key]

    def locator(self) -> GridLocator:
        key = ("locator", "commune")
        if key not in self._cache:
            self._cache[key] = GridLocator.load(self.folder / "locate")
        return self._cache[key]

    def release_locator_pages(self) -> None:
        locator = self._cache.get(("locator", "commune"))
        if locator is not None:
            locator.release_pages()

    def national_pixels(self) -> np.ndarray:
        return np.asarray(np.load(self.folder / "pixels.npy", mmap_mode="r"))

    def points(self) -> pd.DataFrame:
        key = ("points", "commune")
        if key not in self._cache:
            self._cache[key] = pd.read_parquet(self.folder / "points.parquet")
        return self._cache[key]

    def _outlines(self, kind: str, level: str, codes: Collection[str] | None) -> gpd.GeoDataFrame:
        path = self.folder / f"{kind}-{level}.parquet"
        if codes is None:
            key = (kind, level)
            if key not in self._cache:
                self._cache[key] = _read_outlines(path, None)
            return self._cache[key]
        # One territory, or a few: the row groups holding their codes only.
        return _read_outlines(path, sorted(set(codes)))


def _read_outlines(path: Path, codes: list[str] | None) -> gpd.GeoDataFrame:
    table = pq.read_table(path) if codes is None else _read_codes(path, codes)
    geometry = shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False))
    return gpd.GeoDataFrame(
        {
            "code": np.asarray(table.column("code").to_pylist(), dtype=object),
            "nom": np.asarray(table.column("nom").to_pylist(), dtype=object),
        },
        geometry=geometry,
        crs=4326,
    )


def _read_codes(path: Path, codes: list[str]) -> pa.Table:
    """The rows of ``codes``, one row group at a time (those whose code range holds one of
    them): a few scattered codes never hold the whole file in memory at once."""
    handle = pq.ParquetFile(path)
    column = handle.schema_arrow.get_field_index("code")
    wanted = pa.array(codes, type=pa.string())
    parts = []
    for index in range(handle.metadata.num_row_groups):
        stats = handle.metadata.row_group(index).column(column).statistics
        if stats is not None and stats.has_min_max:
            low, high = str(stats.min), str(stats.max)
            if not any(low <= code <= high for code in codes):
                continue
        group = handle.read_row_group(index)
        parts.append(group.filter(pc.is_in(group.column("code"), value_set=wanted)))
    if not parts:
        return handle.schema_arrow.empty_table()
    return pa.concat_tables(parts)


def open_prepared(folder: Path, key: str) -> tuple[Cog, PreparedOutlines]:
    """The COG and outlines of a prepared folder, after checking that it is complete, of this
    version and key, and that no file changed (size and CRC-32); else :class:`PreparedCorrupt`."""
    try:
        meta = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        msg = f"Référence préparée inachevée ou illisible : {folder.name} ({error})."
        raise PreparedCorrupt(msg) from error
    if meta.get("version") != PREPARED_VERSION or meta.get("key") != key:
        msg = f"Référence préparée d'une autre édition ou version : {folder.name}."
        raise PreparedCorrupt(msg)
    _verify(folder, meta["files"])
    return _read_cog(folder), PreparedOutlines(folder, meta)


def _verify(folder: Path, files: Mapping[str, Mapping[str, int]]) -> None:
    """Check every file's size and CRC-32 against the manifest; or :class:`PreparedCorrupt`."""
    try:
        verified = json.loads((folder / VERIFIED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        verified = {}
    stamps: dict[str, list[int]] = {}
    for name, expected in files.items():
        path = folder / name
        try:
            stat = path.stat()
        except OSError:
            stat = None
        if stat is None or stat.st_size != expected["size"]:
            msg = f"Fichier préparé manquant ou tronqué : {folder.name}/{name}."
            raise PreparedCorrupt(msg)
        stamps[name] = [stat.st_size, stat.st_mtime_ns]
        if verified.get(name) != stamps[name] and _fingerprint(path) != expected:
            msg = f"Fichier préparé endommagé : {folder.name}/{name}."
            raise PreparedCorrupt(msg)
    if stamps != verified:
        temp = folder / f".{VERIFIED}.{os.getpid()}"
        temp.write_text(json.dumps(stamps), encoding="utf-8")
        os.replace(temp, folder / VERIFIED)


def _read_cog(folder: Path) -> Cog:
    communes = pd.read_parquet(folder / "cog-communes.parquet")
    communes["codes_postaux"] = communes["codes_postaux"].map(
        lambda codes: tuple(codes) if codes is not None else ()
    )
    communes["population"] = communes["population"].astype("Int64")
    codes = pd.read_parquet(folder / "cog-codes.parquet")
    return Cog(
        communes=communes,
        epci=pd.read_parquet(folder / "cog-epci.parquet"),
        departements=pd.read_parquet(folder / "cog-departements.parquet"),
        regions=pd.read_parquet(folder / "cog-regions.parquet"),
        # Lists first: iterating Arrow-backed strings one by one is 20 times slower.
        current_code=dict(zip(codes["old"].tolist(), codes["current"].tolist(), strict=True)),
    )
