"""The public open-data files the application uses, declared as data.

A :class:`Source` names one file published at an official URL; :data:`GROUPS` bundles sources
fetched together (``python -m geo data fetch territoires``). The territory reference is
declared here; each dataset's file and schema come from its catalogue entry
(:mod:`geo.datasets.catalogue`), so a new dataset is declared there only.
:mod:`geo.sources.fetch` downloads, validates, converts and records any source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from geo.datasets.catalogue import (
    CATALOGUE,
    LICENCE_OUVERTE,
    LICENCE_OUVERTE_URL,
    FileKind,
)
from geo.errors import FetchError, UnknownSourceError

#: File extension of the raw copy, per kind.
EXTENSIONS: dict[str, str] = {"geojson": ".geojson", "json": ".json", "csv": ".csv"}


@dataclass(frozen=True)
class Source:
    """One file published at an official URL.

    ``kind`` says how it is checked and stored: ``geojson`` outlines are also converted to
    GeoParquet (``<name>.parquet``); ``json`` and ``csv`` files are kept raw for their loader.
    """

    name: str
    url: str
    title: str
    licence: str
    licence_url: str
    producer: str
    kind: FileKind

    def __post_init__(self) -> None:
        # A typo in a declaration should fail at import, not in the middle of a download.
        if self.kind not in EXTENSIONS:
            msg = f"Type de source inconnu pour {self.name} : {self.kind!r}."
            raise ValueError(msg)
        if not self.url.startswith(("https://", "http://")):
            msg = f"URL invalide pour {self.name} : {self.url!r}."
            raise ValueError(msg)

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.kind]

    @property
    def converts(self) -> bool:
        """Whether a GeoParquet copy is made (the one readers should use)."""
        return self.kind == "geojson"


_CONTOURS = "https://object.data.gouv.fr/contours-administratifs/2025/geojson"
_COG = "https://unpkg.com/@etalab/decoupage-administratif@6.0.0/data"
_CONTOURS_PRODUCER = "IGN (ADMIN EXPRESS), mis en forme par Etalab"
_COG_PRODUCER = "INSEE (Code officiel géographique), mis en forme par Etalab"

_LEVELS = (
    ("communes", "communes"),
    ("epci", "EPCI"),
    ("departements", "départements"),
    ("regions", "régions"),
)


def _territory_sources() -> list[Source]:
    sources: list[Source] = []
    for slug, label in _LEVELS:
        sources.append(
            Source(
                name=f"contours-{slug}",
                url=f"{_CONTOURS}/{slug}-100m.geojson",
                title=f"Contours des {label} (simplifiés 100 m)",
                licence=LICENCE_OUVERTE,
                licence_url=LICENCE_OUVERTE_URL,
                producer=_CONTOURS_PRODUCER,
                kind="geojson",
            )
        )
    for slug, label in _LEVELS:
        sources.append(
            Source(
                name=f"cog-{slug}",
                url=f"{_COG}/{slug}.json",
                title=f"Référentiel des {label} (COG : noms, hiérarchie, population)",
                licence=LICENCE_OUVERTE,
                licence_url=LICENCE_OUVERTE_URL,
                producer=_COG_PRODUCER,
                kind="json",
            )
        )
    return sources


_EXAMPLE_NOTE = " — exemple officiel du schéma, pas un fichier national"


def _dataset_sources() -> list[Source]:
    """The public datasets of :mod:`geo.datasets` (one source per dataset, named by its id)
    and the official schemas their loaders validate against."""
    sources = [
        Source(
            name=dataset.source,
            url=dataset.url,
            title=dataset.title + (_EXAMPLE_NOTE if dataset.schema_example else ""),
            licence=dataset.licence.name,
            licence_url=dataset.licence.url,
            producer=dataset.producer,
            kind=dataset.file_kind,
        )
        for dataset in CATALOGUE.values()
    ]
    for dataset in CATALOGUE.values():
        if dataset.schema_source and dataset.schema_url:
            sources.append(
                Source(
                    name=dataset.schema_source,
                    url=dataset.schema_url,
                    title=f"Schéma officiel : {dataset.title}",
                    licence=LICENCE_OUVERTE,
                    licence_url=LICENCE_OUVERTE_URL,
                    producer="Etalab (schema.data.gouv.fr)",
                    kind="json",
                )
            )
    return sources


_TERRITORY_SOURCES = _territory_sources()
_DATASET_SOURCES = _dataset_sources()

SOURCES: dict[str, Source] = {
    source.name: source for source in [*_TERRITORY_SOURCES, *_DATASET_SOURCES]
}

GROUPS: dict[str, tuple[str, ...]] = {
    "territoires": tuple(source.name for source in _TERRITORY_SOURCES),
    "datasets": tuple(source.name for source in _DATASET_SOURCES),
}


def resolve_names(
    names: Iterable[str] | None,
    *,
    sources: Mapping[str, Source] | None = None,
    groups: Mapping[str, Iterable[str]] | None = None,
) -> list[str]:
    """Source names for a mix of source and group names, in order, without repeats.

    ``None`` or an empty list means every declared source.
    """
    sources = SOURCES if sources is None else sources
    groups = GROUPS if groups is None else groups
    wanted = list(names) if names else list(sources)
    resolved: list[str] = []
    unknown: list[str] = []
    for name in wanted:
        members = list(groups[name]) if name in groups else [name]
        for member in members:
            if member not in sources:
                unknown.append(member)
            elif member not in resolved:
                resolved.append(member)
    if unknown:
        known = ", ".join(sorted(sources))
        known_groups = ", ".join(sorted(groups)) or "aucun"
        msg = (
            f"Source inconnue : {', '.join(unknown)}. Sources connues : {known}. "
            f"Groupes : {known_groups}."
        )
        raise UnknownSourceError(msg)
    return resolved


#: A DNS name (letters, digits, inner hyphens, dots between labels) or an IPv4 address.
_HOST = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$")


def mirror_path(url: str, mirror: Path) -> Path:
    """Where a mirror holds the file published at ``url``: ``MIRROR/HOST/PATH``, query dropped.

    Percent-escapes are decoded because the mirror stores files under their real names. A host
    that is not a host name (``https://../etc``) or a path that would leave the mirror (``..``)
    is refused (:class:`FetchError`) rather than read; symbolic links are checked when the file
    is copied (:func:`geo.sources.download.copy_from_mirror`).
    """
    parts = urlsplit(url)
    try:
        host = parts.hostname
    except ValueError:
        host = None
    if not host or not _HOST.match(host):
        msg = f"URL dont l'hôte n'est pas un nom d'hôte valable : {url!r}."
        raise FetchError(msg)
    segments = [unquote(segment) for segment in PurePosixPath(parts.path).parts if segment != "/"]
    if not segments or any(segment in ("..", ".") or "/" in segment for segment in segments):
        msg = f"Chemin d'URL inutilisable pour un miroir : {url!r}."
        raise FetchError(msg)
    return Path(mirror, host, *segments)


def declared_hosts(sources: Mapping[str, Source] | None = None) -> frozenset[str]:
    """Hosts of the declared official URLs: where a download may be redirected (in https)."""
    found = (urlsplit(source.url).hostname for source in (sources or SOURCES).values())
    return frozenset(host for host in found if host)
