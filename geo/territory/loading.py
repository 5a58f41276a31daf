"""Loading the territory reference: from the data cache, prepared once per edition.

:func:`load_territories` finds the eight reference files in ``GEO_DATA_DIR`` (fetched from the
mirror or the network when missing), works out the key of their edition, and opens the
prepared reference of that key (:mod:`geo.territory.prepared`), preparing it first when it is
missing, unfinished, stale or damaged. The key is the sha256 of the files' own sha256; those
are computed again only when a file's size or modification time changed since the last time
(``prepared/inputs.json``), so a start costs a few ``stat`` calls, not hashing 80 MB.

One :class:`Territories` per edition and process: the app's pages, the project store and
the dataset loaders share it.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from geo.errors import DataUnavailableError
from geo.settings import Settings, get_settings
from geo.territory.engine import Territories
from geo.territory.outlines import BuiltOutlines
from geo.territory.prepared import (
    PREPARED_VERSION,
    PreparedCorrupt,
    folder_name,
    open_prepared,
    write_prepared,
)
from geo.territory.reference import read_cog, read_outlines

log = logging.getLogger(__name__)

#: Sources fetched by ``python -m geo data fetch territoires`` that the engine reads.
REFERENCE_SOURCES = {
    "outlines": {
        "commune": "contours-communes",
        "epci": "contours-epci",
        "departement": "contours-departements",
        "region": "contours-regions",
    },
    "cog": {
        "communes": "cog-communes",
        "epci": "cog-epci",
        "departements": "cog-departements",
        "regions": "cog-regions",
    },
}
PREPARED_DIR = "prepared"
_INPUTS_INDEX = "inputs.json"
_LOADED: dict[Path, Territories] = {}
_LOCK = threading.Lock()


def from_files(
    *,
    commune_outlines: Path,
    cog_communes: Path,
    cog_epci: Path,
    cog_departements: Path,
    cog_regions: Path,
    epci_outlines: Path | None = None,
    departement_outlines: Path | None = None,
    region_outlines: Path | None = None,
) -> Territories:
    """The reference computed from the files themselves (nothing prepared, nothing cached)."""
    cog = read_cog(cog_communes, cog_epci, cog_departements, cog_regions)
    outlines = {"commune": read_outlines(commune_outlines, "commune")}
    for level, path in (
        ("epci", epci_outlines),
        ("departement", departement_outlines),
        ("region", region_outlines),
    ):
        if path is not None:
            outlines[level] = read_outlines(path, level)
    return Territories(cog, outlines)


def reference_files(settings: Settings) -> dict[str, Path]:
    """The eight reference files in the data cache, fetched when missing (source → path)."""
    from geo.sources.fetch import ensure_local

    names = [*REFERENCE_SOURCES["outlines"].values(), *REFERENCE_SOURCES["cog"].values()]
    return {name: ensure_local(name, settings) for name in names}


def load_territories(settings: Settings | None = None) -> Territories:
    """The prepared reference of the cached edition, prepared first when needed."""
    settings = settings or get_settings()
    files = reference_files(settings)
    root = settings.data_dir / PREPARED_DIR
    with _LOCK:
        key, inputs = edition_key(files, root)
        folder = root / folder_name(key)
        if folder in _LOADED:
            return _LOADED[folder]
        try:
            cog, source = open_prepared(folder, key)
        except PreparedCorrupt:
            # One process prepares, the others wait for it and then open what it wrote.
            with _preparing(root):
                try:
                    cog, source = open_prepared(folder, key)
                except PreparedCorrupt as reason:
                    if folder.exists():
                        log.warning("Référence préparée reconstruite : %s", reason)
                    prepare_in_child(files, folder, key, inputs)
                    _remove_other_editions(root, keep=folder)
                    cog, source = open_prepared(folder, key)
        territories = Territories(cog, source)
        _LOADED[folder] = territories
        return territories


def forget_loaded() -> None:
    """Forget the references opened by this process (the next load opens them again)."""
    with _LOCK:
        _LOADED.clear()


def prepare(files: dict[str, Path], folder: Path, key: str, inputs: dict[str, str]) -> Path:
    """Compute everything the engine needs from ``files`` and write it in ``folder``."""
    outline_names = REFERENCE_SOURCES["outlines"]
    cog_names = REFERENCE_SOURCES["cog"]
    cog = read_cog(*(files[cog_names[part]] for part in ("communes", "epci", "departements",
                                                         "regions")))  # fmt: skip
    # The upper levels are read when first needed: after the locate index is built and saved.
    published = {
        level: functools.partial(read_outlines, files[name], level)
        for level, name in outline_names.items()
    }
    built = BuiltOutlines(cog, published)
    return write_prepared(folder, key, inputs, cog, built)


def prepare_in_child(
    files: dict[str, Path], folder: Path, key: str, inputs: dict[str, str]
) -> Path:
    """:func:`prepare` in a child process: a preparation briefly needs ~1 GB, which the app
    server or a command would otherwise keep for the rest of its life."""
    task = {"files": {k: str(v) for k, v in files.items()}, "folder": str(folder), "key": key,
            "inputs": inputs}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "geo.territory.loading", json.dumps(task)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        log.error("Préparation de la référence en échec :\n%s", done.stderr[-4000:])
        msg = (
            "La préparation de la référence des territoires a échoué (mémoire ou disque "
            "insuffisant ?) : relancer `python -m geo data fetch territoires --force`."
        )
        raise DataUnavailableError(msg)
    return folder


def prepare_reference(settings: Settings | None = None) -> Path:
    """Prepare the cached edition now (``python -m geo data fetch`` ends with it)."""
    settings = settings or get_settings()
    load_territories(settings)
    files = reference_files(settings)
    root = settings.data_dir / PREPARED_DIR
    key, _ = edition_key(files, root)
    return root / folder_name(key)


def edition_key(files: dict[str, Path], root: Path) -> tuple[str, dict[str, str]]:
    """The key of the files' edition and each file's sha256 (reused while the file's size
    and modification time are those recorded)."""
    index_path = root / _INPUTS_INDEX
    try:
        known = json.loads(index_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    inputs: dict[str, str] = {}
    changed = False
    for name, path in sorted(files.items()):
        try:
            stat = path.stat()
        except OSError as error:
            msg = f"Fichier de référence introuvable : {path.name} ({error})."
            raise DataUnavailableError(msg) from error
        stamp = [str(path), stat.st_size, stat.st_mtime_ns]
        entry = known.get(name, {})
        if entry.get("stamp") == stamp and entry.get("sha256"):
            inputs[name] = entry["sha256"]
            continue
        inputs[name] = _sha256(path)
        known[name] = {"stamp": stamp, "sha256": inputs[name]}
        changed = True
    if changed:
        root.mkdir(parents=True, exist_ok=True)
        temp = index_path.with_suffix(f".{os.getpid()}.tmp")
        temp.write_text(json.dumps(known, indent=1), encoding="utf-8")
        os.replace(temp, index_path)
    material = json.dumps({"version": PREPARED_VERSION, "inputs": inputs}, sort_keys=True)
    return hashlib.sha256(material.encode("utf-8")).hexdigest(), inputs


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def _preparing(root: Path) -> Iterator[None]:
    """An exclusive lock across processes on the prepared folders of a data directory."""
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_other_editions(root: Path, *, keep: Path) -> None:
    """Prepared folders of older editions are never used again: free their space (a process
    still holding one keeps reading it: Linux removes files once they are closed)."""
    for folder in root.glob("territoires-*"):
        if folder != keep and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":  # the child of prepare_in_child
    _task = json.loads(sys.argv[1])
    prepare(
        {name: Path(path) for name, path in _task["files"].items()},
        Path(_task["folder"]),
        _task["key"],
        _task["inputs"],
    )
