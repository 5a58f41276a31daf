"""Download (or copy from a mirror) the declared sources into the data directory.

Layout of ``GEO_DATA_DIR``: ``raw/<name>.<ext>`` as published, ``<name>.parquet`` for outline
sources, and ``manifest.json`` recording where each file came from. Every write goes through
:mod:`geo.sources.download`: a temporary file in the destination folder, fsynced and validated, then
renamed over the old copy, so a failed download never replaces or deletes a good cached file.
A cached copy is skipped only while it matches the sha256 the manifest recorded (raw file and
GeoParquet); a damaged one is fetched again. A reply without a length is checked by its content
before it replaces anything (JSON parsed, CSV's last record whole).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from geo.errors import DataUnavailableError, FetchError
from geo.settings import Settings, get_settings
from geo.sources.declared import (
    GROUPS,
    SOURCES,
    Source,
    declared_hosts,
    mirror_path,
    resolve_names,
)
from geo.sources.download import (
    clean_stale_temps,
    copy_from_mirror,
    download,
    fsync_file,
    human_size,
    replace,
    temp_file,
)

MANIFEST = "manifest.json"


@dataclass
class FetchResult:
    name: str
    ok: bool
    message: str
    path: Path | None = None
    url: str | None = None
    origin: str | None = None  # "réseau", "miroir" or "cache" (skipped: already there)
    skipped: bool = False
    size: int | None = None
    sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = str(self.path) if self.path else None
        return data


# --- local files ------------------------------------------------------------------------------


def raw_path(source: Source, data_dir: Path) -> Path:
    return data_dir / "raw" / f"{source.name}{source.extension}"


def parquet_path(source: Source, data_dir: Path) -> Path:
    return data_dir / f"{source.name}.parquet"


def _read_path(source: Source, data_dir: Path) -> Path:
    return parquet_path(source, data_dir) if source.converts else raw_path(source, data_dir)


def _source(name: str, sources: Mapping[str, Source] | None) -> Source:
    # Going through resolve_names gives the same French "unknown source" error everywhere.
    sources = SOURCES if sources is None else sources
    return sources[resolve_names([name], sources=sources, groups={})[0]]


def cached_path(
    name: str, settings: Settings | None = None, *, sources: Mapping[str, Source] | None = None
) -> Path | None:
    """The file readers should use (GeoParquet for outlines, raw otherwise), or None.

    An undeclared name raises :class:`geo.sources.declared.UnknownSourceError`.
    """
    settings = settings or get_settings()
    path = _read_path(_source(name, sources), settings.data_dir)
    return path if path.is_file() else None


# --- manifest ---------------------------------------------------------------------------------


def read_manifest(data_dir: Path) -> dict[str, dict[str, Any]]:
    """Manifest entries by source name; an unreadable manifest counts as empty."""
    try:
        data = json.loads((data_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_manifest_entry(data_dir: Path, name: str, entry: dict[str, Any]) -> None:
    # Re-read just before writing so entries written meanwhile by another fetch are kept.
    manifest = read_manifest(data_dir)
    manifest[name] = entry
    with temp_file(data_dir, "manifest", ".json") as temp:
        temp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        fsync_file(temp)
        replace(temp, data_dir / MANIFEST)


# --- validation and conversion ----------------------------------------------------------------


def _validate(source: Source, temp: Path) -> None:
    """Refuse files that would break a loader later: empty, HTML error pages, bad JSON."""
    if temp.stat().st_size == 0:
        raise FetchError("fichier vide")
    with temp.open("rb") as handle:
        head = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise FetchError("le serveur a renvoyé une page HTML au lieu du fichier attendu")
    if source.kind == "csv":
        return
    try:
        data = json.loads(temp.read_bytes())  # a body cut short is no JSON: refused here
    except (ValueError, UnicodeDecodeError) as error:
        msg = f"fichier JSON invalide ({error})"
        raise FetchError(msg) from error
    if source.kind == "geojson" and not (
        isinstance(data, dict)
        and data.get("type") == "FeatureCollection"
        and isinstance(data.get("features"), list)
    ):
        raise FetchError("le GeoJSON n'est pas une FeatureCollection")


def _check_complete_csv(temp: Path) -> None:
    """A CSV received without a length may have been cut when the connection closed: it must
    end with a line end, and its last record be whole (as many fields as the header, no open
    quote)."""
    text = temp.read_bytes().decode("utf-8", errors="replace")
    if not text.endswith(("\n", "\r")):
        msg = (
            "fichier tronqué : réponse sans longueur annoncée qui ne finit pas par une fin de "
            "ligne (connexion coupée en route ?)"
        )
        raise FetchError(msg)
    first = text.split("\n", 1)[0]
    separator = max(",;\t|", key=first.count)
    try:
        records = [record for record in csv.reader(io.StringIO(text), delimiter=separator)
                   if record]  # fmt: skip
    except csv.Error as error:
        msg = f"fichier tronqué (CSV incomplet : {error})"
        raise FetchError(msg) from error
    if len(records) > 1 and len(records[-1]) != len(records[0]):
        msg = (
            f"fichier tronqué : la dernière ligne a {len(records[-1])} champ(s) au lieu de "
            f"{len(records[0])} (réponse sans longueur annoncée, coupée en route)"
        )
        raise FetchError(msg)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _intact(source: Source, data_dir: Path, entry: dict[str, Any]) -> bool:
    """Whether the cached copy is the one the manifest recorded (sha256 of the raw file and of
    the GeoParquet conversion); a copy the manifest does not know is only checked readable."""
    raw, parquet = raw_path(source, data_dir), parquet_path(source, data_dir)
    try:
        if entry.get("sha256") and (not raw.is_file() or _sha256(raw) != entry["sha256"]):
            return False
        if not source.converts:
            return True
        if entry.get("parquet_sha256"):
            return _sha256(parquet) == entry["parquet_sha256"]
        import pyarrow.parquet

        pyarrow.parquet.read_metadata(parquet)
    except (OSError, ValueError):
        return False
    return True


def _convert(raw: Path, out: Path) -> None:
    import geopandas  # imported here: fetching JSON/CSV sources does not need it

    try:
        frame = geopandas.read_file(raw, engine="pyogrio")
    except Exception as error:  # GDAL raises its own types; all mean "unreadable"
        msg = f"GeoJSON illisible par GDAL ({error})"
        raise FetchError(msg) from error
    # GeoJSON is WGS84 by definition; older files may still declare another CRS.
    if frame.crs is None:
        frame = frame.set_crs(4326)
    elif frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    frame.to_parquet(out)
    fsync_file(out)


# --- fetch ------------------------------------------------------------------------------------


def _fetch_one(
    source: Source, settings: Settings, mirror: Path | None, progress: bool
) -> FetchResult:
    data_dir = settings.data_dir
    raw = raw_path(source, data_dir)
    if mirror is not None:
        origin_file = mirror_path(source.url, mirror)
        origin = "miroir"
    elif settings.offline:
        msg = (
            f"{source.name} : mode hors ligne (GEO_OFFLINE) et aucun miroir configuré, "
            "rien n'a été téléchargé. Définissez GEO_DATA_MIRROR ou désactivez GEO_OFFLINE."
        )
        return FetchResult(source.name, False, msg, url=source.url)
    else:
        origin_file, origin = None, "réseau"

    with contextlib.ExitStack() as stack:
        temp_raw = stack.enter_context(temp_file(raw.parent, source.name, source.extension))
        if origin_file is not None:
            size, sha = copy_from_mirror(
                origin_file, temp_raw, name=source.name, progress=progress, root=mirror
            )
            # A mirror's file dates are those of its copy, not the publisher's: not told.
            whole, published = True, None
        else:
            size, sha, whole, published = download(
                source.url,
                temp_raw,
                timeout=settings.http_timeout,
                user_agent=settings.user_agent,
                name=source.name,
                progress=progress,
                deadline=settings.http_deadline,
                hosts=declared_hosts(),
            )
        _validate(source, temp_raw)
        if not whole and source.kind == "csv":
            _check_complete_csv(temp_raw)
        temp_parquet = None
        if source.converts:
            temp_parquet = stack.enter_context(temp_file(data_dir, source.name, ".parquet"))
            _convert(temp_raw, temp_parquet)
        # Everything is checked: only now do the good files replace the cached ones.
        replace(temp_raw, raw)
        if temp_parquet is not None:
            replace(temp_parquet, parquet_path(source, data_dir))

    entry = {
        "url": source.url,
        "mirror": str(origin_file) if origin_file is not None else None,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        #: The file's own date as its server gives it (Last-Modified); None from a mirror.
        "published_at": published,
        "size": size,
        "sha256": sha,
        **{key: getattr(source, key) for key in ("title", "licence", "licence_url", "producer")},
        "kind": source.kind,
        "raw": raw.relative_to(data_dir).as_posix(),
        "parquet": parquet_path(source, data_dir).name if source.converts else None,
        "parquet_sha256": _sha256(parquet_path(source, data_dir)) if source.converts else None,
    }
    _write_manifest_entry(data_dir, source.name, entry)
    path = _read_path(source, data_dir)
    msg = f"{source.name} : {human_size(size)} depuis le {origin}"
    return FetchResult(source.name, True, msg, path, source.url, origin, False, size, sha)


def fetch(
    names: Sequence[str] | None = None,
    *,
    settings: Settings | None = None,
    mirror: Path | None = None,
    force: bool = False,
    progress: bool = True,
    sources: Mapping[str, Source] | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
) -> list[FetchResult]:
    """Fetch sources (names or groups; default all), each independently of the others.

    ``mirror`` overrides ``GEO_DATA_MIRROR``. Already cached sources are skipped unless
    ``force``. Unknown names raise :class:`geo.sources.declared.UnknownSourceError` before any work.
    """
    settings = settings or get_settings()
    sources = SOURCES if sources is None else sources
    groups = GROUPS if groups is None else groups
    wanted = resolve_names(names, sources=sources, groups=groups)
    mirror = mirror if mirror is not None else settings.mirror
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    clean_stale_temps(settings.data_dir, settings.data_dir / "raw")
    results: list[FetchResult] = []
    for name in wanted:
        source = sources[name]
        cached = cached_path(name, settings, sources=sources)
        entry = read_manifest(settings.data_dir).get(name, {})
        damaged = cached is not None and not force and not _intact(source, settings.data_dir, entry)
        if cached is not None and not force and not damaged:
            msg = f"{name} : déjà en cache ({cached}), --force pour le recharger"
            skip = FetchResult(name, True, msg, cached, source.url, "cache", skipped=True)
            skip.size, skip.sha256 = entry.get("size"), entry.get("sha256")
            results.append(skip)
            continue
        try:
            result = _fetch_one(source, settings, mirror, progress)
            if damaged:
                result.message = f"copie en cache endommagée, rechargée — {result.message}"
            results.append(result)
        except Exception as error:  # one bad source must never stop the others
            reason = (
                str(error) if isinstance(error, FetchError) else f"{type(error).__name__} : {error}"
            )
            kept = (
                "la copie en cache est conservée" if cached else "rien en cache pour cette source"
            )
            msg = f"{name} : échec, {reason} ; {kept}."
            results.append(FetchResult(name, False, msg, cached, source.url))
    return results


def ensure_local(
    name: str, settings: Settings | None = None, *, sources: Mapping[str, Source] | None = None
) -> Path:
    """The cached file of ``name``, fetched first if needed (mirror, else network if online)."""
    settings = settings or get_settings()
    cached = cached_path(name, settings, sources=sources)
    if cached is not None:
        return cached
    how = (
        f"Récupérez-la avec « python -m geo data fetch {name} » (connexion internet), "
        "ou indiquez un miroir local avec GEO_DATA_MIRROR=DOSSIER."
    )
    if settings.mirror is None and settings.offline:
        msg = (
            f"Données manquantes : « {name} » n'est pas en cache "
            f"et le mode hors ligne est actif. {how}"
        )
        raise DataUnavailableError(msg)
    [result] = fetch([name], settings=settings, sources=sources, groups={})
    if not result.ok or result.path is None:
        msg = f"Données manquantes : « {name} » n'a pas pu être récupérée ({result.message}) {how}"
        raise DataUnavailableError(msg)
    return result.path


def status(
    settings: Settings | None = None, *, sources: Mapping[str, Source] | None = None
) -> list[dict[str, Any]]:
    """One row per declared source: cached or not, from where, when, how big."""
    settings = settings or get_settings()
    sources = SOURCES if sources is None else sources
    manifest = read_manifest(settings.data_dir)
    rows = []
    for name, source in sources.items():
        entry = manifest.get(name, {})
        path = cached_path(name, settings, sources=sources)
        rows.append(
            {
                "name": name,
                "title": source.title,
                "kind": source.kind,
                "cached": path is not None,
                "url": source.url,
                # A cached copy of another URL (an older edition) is still usable, but say so.
                "stale": bool(entry) and entry.get("url") != source.url,
                "fetched_at": entry.get("fetched_at"),
                "size": entry.get("size"),
                "sha256": entry.get("sha256"),
                "from_mirror": bool(entry.get("mirror")),
                "mirror": entry.get("mirror"),
                "licence": source.licence,
                "path": str(path) if path else None,
            }
        )
    return rows
