"""The fetcher against a real local HTTP server (never the internet) and the shared mirror."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import geopandas
import pytest
from fakeserver import FakeServer, Route, serve
from reference import MIRROR

from geo import cli
from geo.errors import DataUnavailableError
from geo.settings import Settings, get_settings
from geo.sources.declared import GROUPS, SOURCES, Source, UnknownSourceError, mirror_path
from geo.sources.fetch import cached_path, ensure_local, fetch, read_manifest, status


def _square(code: str, x: float) -> dict:
    ring = [[x, 45.0], [x + 0.1, 45.0], [x + 0.1, 45.1], [x, 45.1], [x, 45.0]]
    return {
        "type": "Feature",
        "properties": {"code": code, "nom": f"Commune {code}"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


GOOD_GEOJSON = json.dumps(
    {"type": "FeatureCollection", "features": [_square("38001", 5.0), _square("38002", 5.2)]}
).encode()
GOOD_GEOJSON_V2 = json.dumps(
    {"type": "FeatureCollection", "features": [_square("38003", 5.4)]}
).encode()
GOOD_JSON = json.dumps([{"code": "84", "nom": "Auvergne-Rhône-Alpes"}], ensure_ascii=False).encode()

ROUTES = {
    "/good.geojson": Route(GOOD_GEOJSON, headers={"Content-Type": "application/geo+json"}),
    "/v2.geojson": Route(GOOD_GEOJSON_V2),
    "/good.json": Route(GOOD_JSON, headers={"Content-Type": "application/json"}),
    "/moved.json": Route(status=302, headers={"Location": "/good.json"}),
    "/error.json": Route(b"boom", status=500),
    "/truncated.json": Route(GOOD_JSON[:10], behaviour="truncate"),
    "/slow.json": Route(GOOD_JSON, behaviour="slow"),
    "/invalid.json": Route(b'{"type": "FeatureCollection", "features": ['),
    "/feature.geojson": Route(json.dumps(_square("38001", 5.0)).encode()),
    "/empty.json": Route(b""),
    "/page.json": Route(b"<!DOCTYPE html><html><body>Maintenance</body></html>"),
}


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    with serve(ROUTES) as fake:
        yield fake


def make_settings(tmp_path: Path, **env: str) -> Settings:
    environ = {"GEO_DATA_DIR": str(tmp_path / "data"), "GEO_HTTP_TIMEOUT": "0.5", **env}
    return get_settings(environ=environ, secrets={})


def make_source(name: str, url: str, kind: str = "json") -> Source:
    return Source(name, url, f"Titre {name}", "Licence Ouverte 2.0", "https://l", "Test", kind)  # type: ignore[arg-type]


def temp_files(settings: Settings) -> list[Path]:
    return [path for path in settings.data_dir.rglob("*") if path.name.startswith(".")]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- success ----------------------------------------------------------------------------------


def test_success_writes_raw_parquet_and_manifest(tmp_path: Path, server: FakeServer) -> None:
    settings = make_settings(tmp_path)
    sources = {
        "demo-contours": make_source("demo-contours", server.url("/good.geojson"), "geojson"),
        "demo-cog": make_source("demo-cog", server.url("/moved.json?v=1")),
    }
    results = fetch(settings=settings, sources=sources, groups={}, progress=False)

    assert [(r.name, r.ok, r.origin) for r in results] == [
        ("demo-contours", True, "réseau"),
        ("demo-cog", True, "réseau"),
    ]
    data = settings.data_dir
    assert (data / "raw/demo-contours.geojson").read_bytes() == GOOD_GEOJSON
    assert (data / "raw/demo-cog.json").read_bytes() == GOOD_JSON  # redirect followed
    frame = geopandas.read_parquet(data / "demo-contours.parquet")
    assert list(frame["code"]) == ["38001", "38002"] and frame.crs.to_epsg() == 4326
    assert results[0].path == data / "demo-contours.parquet"
    assert results[1].path == data / "raw/demo-cog.json"

    manifest = read_manifest(data)
    entry = manifest["demo-contours"]
    assert entry["sha256"] == sha256(GOOD_GEOJSON) == results[0].sha256
    assert entry["size"] == len(GOOD_GEOJSON)
    assert entry["url"] == server.url("/good.geojson") and entry["mirror"] is None
    assert entry["licence"] == "Licence Ouverte 2.0" and entry["title"] == "Titre demo-contours"
    assert (entry["raw"], entry["parquet"]) == (
        "raw/demo-contours.geojson",
        "demo-contours.parquet",
    )
    assert datetime.fromisoformat(entry["fetched_at"]).utcoffset().total_seconds() == 0
    assert manifest["demo-cog"]["sha256"] == sha256(GOOD_JSON)
    assert manifest["demo-cog"]["parquet"] is None
    assert temp_files(settings) == []
    agents = {r["headers"].get("User-Agent") for r in server.requests}
    assert settings.user_agent in agents


def test_cached_source_is_skipped_unless_forced(tmp_path: Path, server: FakeServer) -> None:
    settings = make_settings(tmp_path)
    url = server.url("/good.geojson")
    sources = {"demo": make_source("demo", url, "geojson")}
    fetch(settings=settings, sources=sources, groups={}, progress=False)
    before = len(server.requests)

    [again] = fetch(settings=settings, sources=sources, groups={}, progress=False)
    assert again.ok and again.skipped and again.sha256 == sha256(GOOD_GEOJSON)
    assert len(server.requests) == before

    sources = {"demo": make_source("demo", server.url("/v2.geojson"), "geojson")}
    [forced] = fetch(settings=settings, sources=sources, groups={}, force=True, progress=False)
    assert forced.ok and not forced.skipped
    assert len(geopandas.read_parquet(settings.data_dir / "demo.parquet")) == 1
    assert read_manifest(settings.data_dir)["demo"]["sha256"] == sha256(GOOD_GEOJSON_V2)


# --- failures never damage the cache ----------------------------------------------------------

FAILURES = [
    ("geojson", "/missing.geojson", "HTTP 404"),
    ("json", "/error.json", "HTTP 500"),
    ("json", "/truncated.json", "tronquée"),
    ("json", "/slow.json", "délai dépassé"),
    ("geojson", "/invalid.json", "JSON invalide"),
    ("json", "/invalid.json", "JSON invalide"),
    ("geojson", "/feature.geojson", "pas une FeatureCollection"),
    ("geojson", "/empty.json", "fichier vide"),
    ("json", "/page.json", "page HTML"),
    ("json", "closed-port", "échec de connexion"),
]


@pytest.mark.parametrize(("kind", "path", "expected"), FAILURES)
def test_failure_keeps_the_good_cached_copy(
    tmp_path: Path, server: FakeServer, kind: str, path: str, expected: str
) -> None:
    settings = make_settings(tmp_path)
    good = "/good.geojson" if kind == "geojson" else "/good.json"
    [first] = fetch(
        settings=settings, sources={"demo": make_source("demo", server.url(good), kind)},
        groups={}, progress=False,
    )  # fmt: skip
    assert first.ok
    files = sorted(p for p in settings.data_dir.rglob("*") if p.is_file())
    before = {p: p.read_bytes() for p in files}
    entry = read_manifest(settings.data_dir)["demo"]

    # Port 9 (discard) on localhost: nothing listens, the connection is refused at once.
    url = "http://127.0.0.1:9/x.json" if path == "closed-port" else server.url(path)
    sources = {"demo": make_source("demo", url, kind)}
    started = time.monotonic()
    [result] = fetch(settings=settings, sources=sources, groups={}, force=True, progress=False)

    assert not result.ok
    assert expected in result.message
    assert (
        result.message.startswith("demo : échec")
        and "copie en cache est conservée" in result.message
    )
    assert result.path == first.path  # the cached copy is still the one to read
    assert {p: p.read_bytes() for p in files} == before
    assert sorted(p for p in settings.data_dir.rglob("*") if p.is_file()) == files
    assert read_manifest(settings.data_dir)["demo"] == entry
    assert temp_files(settings) == []
    assert time.monotonic() - started < 3  # the slow server is cut by the 0.5 s timeout


def test_failure_without_cache_leaves_nothing(tmp_path: Path, server: FakeServer) -> None:
    settings = make_settings(tmp_path)
    sources = {"demo": make_source("demo", server.url("/truncated.json"))}
    [result] = fetch(settings=settings, sources=sources, groups={}, progress=False)
    assert not result.ok and result.path is None and "rien en cache" in result.message
    assert cached_path("demo", settings, sources=sources) is None
    assert read_manifest(settings.data_dir) == {}
    assert [p for p in settings.data_dir.rglob("*") if p.is_file()] == []


def test_one_failing_source_does_not_stop_the_others(tmp_path: Path, server: FakeServer) -> None:
    settings = make_settings(tmp_path)
    sources = {
        "bad": make_source("bad", server.url("/error.json")),
        "good": make_source("good", server.url("/good.json")),
    }
    results = fetch(settings=settings, sources=sources, groups={}, progress=False)
    assert [(r.name, r.ok) for r in results] == [("bad", False), ("good", True)]
    assert list(read_manifest(settings.data_dir)) == ["good"]


def test_offline_without_mirror_never_touches_the_network(
    tmp_path: Path, server: FakeServer
) -> None:
    settings = make_settings(tmp_path, GEO_OFFLINE="1")
    before = len(server.requests)
    sources = {"demo": make_source("demo", server.url("/good.json"))}
    [result] = fetch(settings=settings, sources=sources, groups={}, progress=False)
    assert not result.ok and "hors ligne" in result.message and "GEO_DATA_MIRROR" in result.message
    assert len(server.requests) == before


def test_unknown_name_fails_before_any_work(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with pytest.raises(UnknownSourceError, match="contours-communes"):
        fetch(["territoires", "nope"], settings=settings, progress=False)
    assert not settings.data_dir.exists() or read_manifest(settings.data_dir) == {}


def test_stale_temp_files_of_a_killed_run_are_removed(tmp_path: Path, server: FakeServer) -> None:
    settings = make_settings(tmp_path)
    (settings.data_dir / "raw").mkdir(parents=True)
    old = settings.data_dir / "raw" / ".demo.abc.json.part"
    fresh = settings.data_dir / ".other.def.parquet.part"  # maybe another fetch, running now
    old.write_text("half")
    fresh.write_text("half")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    sources = {"demo": make_source("demo", server.url("/good.json"))}
    fetch(settings=settings, sources=sources, groups={}, progress=False)
    assert not old.exists() and fresh.exists()


def test_corrupt_manifest_is_rebuilt(tmp_path: Path, server: FakeServer) -> None:
    settings = make_settings(tmp_path)
    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / "manifest.json").write_text("{not json")
    sources = {"demo": make_source("demo", server.url("/good.json"))}
    [result] = fetch(settings=settings, sources=sources, groups={}, progress=False)
    assert result.ok and list(read_manifest(settings.data_dir)) == ["demo"]


# --- mirror -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mirror() -> Path:
    assert MIRROR.is_dir(), f"miroir introuvable : {MIRROR} (définir GEO_DATA_MIRROR)"
    return MIRROR


def test_mirror_reads_host_path_and_ignores_query(tmp_path: Path, mirror: Path) -> None:
    # Offline on purpose: a mirror replaces the network, so offline mode must not block it.
    settings = make_settings(tmp_path, GEO_OFFLINE="true", GEO_DATA_MIRROR=str(tmp_path / "none"))
    url = SOURCES["contours-regions"].url + "?format=geojson&token=x"
    sources = {"regions": make_source("regions", url, "geojson")}
    [result] = fetch(settings=settings, mirror=mirror, sources=sources, groups={}, progress=False)
    origin = (
        mirror / "object.data.gouv.fr/contours-administratifs/2025/geojson/regions-100m.geojson"
    )
    assert result.ok and result.origin == "miroir"
    assert result.sha256 == sha256(origin.read_bytes())
    entry = read_manifest(settings.data_dir)["regions"]
    assert entry["mirror"] == str(origin) and entry["url"] == url
    assert len(geopandas.read_parquet(result.path)) == 13


def test_file_missing_from_mirror(tmp_path: Path, mirror: Path) -> None:
    settings = make_settings(tmp_path, GEO_DATA_MIRROR=str(mirror))
    sources = {"demo": make_source("demo", "https://example.org/not/mirrored.json")}
    [result] = fetch(settings=settings, sources=sources, groups={}, progress=False)
    assert not result.ok and "absent du miroir" in result.message
    assert str(mirror_path(sources["demo"].url, mirror)) in result.message


def test_territoires_group_from_the_real_mirror(tmp_path: Path, mirror: Path) -> None:
    settings = make_settings(tmp_path, GEO_OFFLINE="1", GEO_DATA_MIRROR=str(mirror))
    results = fetch(["territoires"], settings=settings, progress=False)
    assert [r.name for r in results] == list(GROUPS["territoires"])
    assert all(r.ok for r in results), [r.message for r in results if not r.ok]

    communes = geopandas.read_parquet(cached_path("contours-communes", settings))
    assert len(communes) == 513 and communes.crs.to_epsg() == 4326
    assert {"38185", "75056"} <= set(communes["code"])
    assert cached_path("cog-regions", settings) == settings.data_dir / "raw/cog-regions.json"
    manifest = read_manifest(settings.data_dir)
    for name in GROUPS["territoires"]:
        origin = mirror_path(SOURCES[name].url, mirror)
        assert manifest[name]["size"] == origin.stat().st_size
        assert manifest[name]["mirror"] == str(origin)


# --- ensure_local -----------------------------------------------------------------------------


def test_ensure_local_offline_without_mirror_says_how_to_get_the_data(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, GEO_OFFLINE="1")
    with pytest.raises(DataUnavailableError) as info:
        ensure_local("contours-communes", settings)
    message = str(info.value)
    assert "contours-communes" in message
    assert "python -m geo data fetch" in message and "GEO_DATA_MIRROR" in message


def test_ensure_local_fetches_from_mirror_then_uses_the_cache(tmp_path: Path, mirror: Path) -> None:
    settings = make_settings(tmp_path, GEO_DATA_MIRROR=str(mirror))
    path = ensure_local("contours-regions", settings)
    assert path == settings.data_dir / "contours-regions.parquet" and path.is_file()
    # Now cached: found even offline with no mirror.
    offline = make_settings(tmp_path, GEO_OFFLINE="1")
    assert ensure_local("contours-regions", offline) == path
    with pytest.raises(UnknownSourceError):
        ensure_local("contours-cantons", offline)


def test_ensure_local_reports_a_failed_fetch(tmp_path: Path, server: FakeServer) -> None:
    settings = make_settings(tmp_path)
    sources = {"demo": make_source("demo", server.url("/error.json"))}
    with pytest.raises(DataUnavailableError, match="HTTP 500"):
        ensure_local("demo", settings, sources=sources)


# --- status and command line ------------------------------------------------------------------


def test_status_before_anything_is_cached(tmp_path: Path) -> None:
    rows = status(make_settings(tmp_path))
    assert [row["name"] for row in rows] == list(SOURCES)
    assert not any(row["cached"] for row in rows)


def test_cli_fetch_then_status_json(
    tmp_path: Path, mirror: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("GEO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GEO_DATA_MIRROR", "")
    monkeypatch.setenv("GEO_OFFLINE", "1")

    code = cli.main(
        ["data", "fetch", "cog-regions", "contours-epci", "--mirror", str(mirror), "--json"]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert [r["name"] for r in json.loads(captured.out)] == ["cog-regions", "contours-epci"]
    assert "✓ cog-regions" in captured.err

    assert cli.main(["data", "status", "--json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert set(rows) == set(SOURCES)
    cached = {name for name, row in rows.items() if row["cached"]}
    assert cached == {"cog-regions", "contours-epci"}
    assert rows["cog-regions"]["from_mirror"] and rows["cog-regions"]["size"] == 2323
    assert rows["contours-epci"]["path"] == str(tmp_path / "data" / "contours-epci.parquet")

    assert cli.main(["data", "status"]) == 0
    table = capsys.readouterr().out
    assert "cog-regions" in table and "oui" in table and "non" in table


def test_cli_fetch_failure_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("GEO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GEO_OFFLINE", "1")
    empty = tmp_path / "empty-mirror"
    empty.mkdir()
    assert cli.main(["data", "fetch", "cog-regions", "--mirror", str(empty)]) == 1
    assert "absent du miroir" in capsys.readouterr().err
    assert cli.main(["data", "fetch", "cantons"]) == 1
    assert "Source inconnue : cantons" in capsys.readouterr().err
