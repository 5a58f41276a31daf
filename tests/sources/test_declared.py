"""The declared sources: names, official URLs, groups, name resolution and mirror paths."""

from __future__ import annotations

from pathlib import Path

import pytest
from reference import MIRROR

from geo.errors import GeoError
from geo.sources.declared import (
    GROUPS,
    SOURCES,
    Source,
    UnknownSourceError,
    mirror_path,
    resolve_names,
)

CONTOURS = "https://object.data.gouv.fr/contours-administratifs/2025/geojson"
COG = "https://unpkg.com/@etalab/decoupage-administratif@6.0.0/data"

EXPECTED = {
    "contours-communes": (f"{CONTOURS}/communes-100m.geojson", "geojson"),
    "contours-epci": (f"{CONTOURS}/epci-100m.geojson", "geojson"),
    "contours-departements": (f"{CONTOURS}/departements-100m.geojson", "geojson"),
    "contours-regions": (f"{CONTOURS}/regions-100m.geojson", "geojson"),
    "cog-communes": (f"{COG}/communes.json", "json"),
    "cog-epci": (f"{COG}/epci.json", "json"),
    "cog-departements": (f"{COG}/departements.json", "json"),
    "cog-regions": (f"{COG}/regions.json", "json"),
}


def test_territory_sources_are_exactly_the_reference_files() -> None:
    assert set(GROUPS["territoires"]) == set(EXPECTED)
    for name, (url, kind) in EXPECTED.items():
        source = SOURCES[name]
        assert (source.name, source.url, source.kind) == (name, url, kind)
        assert source.licence == "Licence Ouverte 2.0"
        assert source.licence_url.startswith("https://")
        assert source.title and source.producer


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_territory_source_is_in_the_shared_mirror(name: str) -> None:
    assert MIRROR.is_dir(), f"miroir introuvable : {MIRROR} (définir GEO_DATA_MIRROR)"
    assert mirror_path(SOURCES[name].url, MIRROR).is_file()


def test_groups_only_name_declared_sources() -> None:
    for members in GROUPS.values():
        assert set(members) <= set(SOURCES)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (None, list(SOURCES)),
        ([], list(SOURCES)),
        (["cog-regions"], ["cog-regions"]),
        (["territoires"], list(GROUPS["territoires"])),
        # Group plus one of its members: no repeat, first mention wins the order.
        (
            ["cog-epci", "territoires"],
            ["cog-epci"] + [n for n in GROUPS["territoires"] if n != "cog-epci"],
        ),
    ],
)
def test_resolve_names(names: list[str] | None, expected: list[str]) -> None:
    assert resolve_names(names) == expected


def test_unknown_name_is_a_french_error_listing_known_names() -> None:
    with pytest.raises(UnknownSourceError) as info:
        resolve_names(["contours-communes", "irve-typo"])
    message = str(info.value)
    assert isinstance(info.value, GeoError)
    assert message.startswith("Source inconnue : irve-typo.")
    assert "contours-communes" in message and "territoires" in message


def test_custom_sources_and_groups() -> None:
    demo = Source("demo", "https://example.org/a.csv", "Démo", "ODbL", "https://x", "moi", "csv")
    assert resolve_names(["g"], sources={"demo": demo}, groups={"g": ("demo",)}) == ["demo"]
    assert demo.extension == ".csv" and not demo.converts
    with pytest.raises(UnknownSourceError):
        resolve_names(["contours-communes"], sources={"demo": demo}, groups={})


@pytest.mark.parametrize(
    ("field", "value"), [("kind", "shapefile"), ("url", "ftp://example.org/a.csv")]
)
def test_bad_declarations_fail_at_once(field: str, value: str) -> None:
    fields = {
        "name": "x", "url": "https://example.org/a.csv", "title": "t", "licence": "l",
        "licence_url": "u", "producer": "p", "kind": "csv",
    }  # fmt: skip
    fields[field] = value
    with pytest.raises(ValueError):
        Source(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "relative"),
    [
        (f"{CONTOURS}/regions-100m.geojson", f"{CONTOURS[8:]}/regions-100m.geojson"),
        ("https://www.data.gouv.fr/fr/r/2729b?format=csv&x=1", "www.data.gouv.fr/fr/r/2729b"),
        ("https://Example.ORG/a%20b/c.csv#frag", "example.org/a b/c.csv"),
        ("https://unpkg.com/@etalab/x@6.0.0/data/a.json", "unpkg.com/@etalab/x@6.0.0/data/a.json"),
    ],
)
def test_mirror_path_drops_query_and_keeps_host_and_path(url: str, relative: str) -> None:
    assert mirror_path(url, Path("/m")) == Path("/m") / relative


@pytest.mark.parametrize(
    "url", ["https://example.org/../etc/passwd", "https://example.org/", "https:///a.csv"]
)
def test_mirror_path_refuses_paths_outside_the_mirror(url: str) -> None:
    from geo.errors import FetchError

    with pytest.raises(FetchError):
        mirror_path(url, Path("/m"))
