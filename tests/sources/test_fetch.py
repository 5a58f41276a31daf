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
    "/good.geojson": Route(
        GOOD_GEOJSON,
        headers={
            "Content-Type": "application/geo+json",
            "Last-Modified": "Fri, 30 Oct 2026 06:00:00 GMT",
        },
    ),
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
    # The file's own date as its server gives it; none announced, none recorded.
    assert entry["published_at"] == "2026-10-30T06:00:00+00:00"
    assert manifest["demo-cog"]["published_at"] is None
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
    # A mirror copy's file dates are the copy's: the publisher's date is not claimed.
    assert entry["published_at"] is None and entry["fetched_at"]
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


# --- hardening (issue 11) ---------------------------------------------------------------------

GOOD_CSV = b"id;nom;puissance\n" + b"".join(b"b%d;Borne %d;22\n" % (i, i) for i in range(400))
#: Cut halfway, this one ends inside its last field: the record still has every field.
SHORT_ROWS = b"id;nom\n" + b"".join(b"%d;n%d\n" % (i, i) for i in range(400))
HARDENING = {
    "/good.csv": Route(GOOD_CSV),
    "/cut.csv": Route(GOOD_CSV, behaviour="http10-cut"),
    "/cut-field.csv": Route(SHORT_ROWS, behaviour="http10-cut"),
    "/cut.json": Route(GOOD_JSON * 1, behaviour="http10-cut"),
    "/trickle.json": Route(b" " * 200 + GOOD_JSON, behaviour="trickle", delay=0.1),
    "/to-localhost.json": Route(status=302),  # Location set per server below
    "/to-https-elsewhere.json": Route(status=301, headers={"Location": "https://evil.example/x"}),
    "/to-http-elsewhere.json": Route(status=307, headers={"Location": "http://evil.example/x"}),
}


@pytest.fixture(scope="module")
def hard_server() -> Iterator[FakeServer]:
    with serve(dict(HARDENING)) as fake:
        port = fake.base_url.rsplit(":", 1)[1]
        fake.routes["/to-localhost.json"] = Route(
            status=302, headers={"Location": f"http://localhost:{port}/good.csv"}
        )
        yield fake


def _cached_then(settings: Settings, good: str, bad: str, kind: str) -> tuple[object, dict]:
    sources = {"demo": make_source("demo", good, kind)}
    [first] = fetch(settings=settings, sources=sources, groups={}, progress=False)
    assert first.ok, first.message
    before = {p: p.read_bytes() for p in settings.data_dir.rglob("*") if p.is_file()}
    sources = {"demo": make_source("demo", bad, kind)}
    [result] = fetch(settings=settings, sources=sources, groups={}, force=True, progress=False)
    return result, before


@pytest.mark.parametrize(
    ("kind", "path"), [("csv", "/cut.csv"), ("csv", "/cut-field.csv"), ("json", "/cut.json")]
)
def test_a_reply_without_length_cut_halfway_keeps_the_good_copy(
    tmp_path: Path, hard_server: FakeServer, kind: str, path: str
) -> None:
    settings = make_settings(tmp_path)
    good = hard_server.url("/good.csv" if kind == "csv" else "/good.json")
    if kind == "json":
        good = hard_server.url("/cut.json").replace("/cut.json", "/good.json")
        hard_server.routes["/good.json"] = Route(GOOD_JSON)
    result, before = _cached_then(settings, good, hard_server.url(path), kind)
    assert not result.ok and "conservée" in result.message, result.message
    assert {p: p.read_bytes() for p in settings.data_dir.rglob("*") if p.is_file()} == before


def test_a_server_that_trickles_is_cut_by_the_total_deadline(
    tmp_path: Path, hard_server: FakeServer
) -> None:
    settings = make_settings(tmp_path, GEO_HTTP_TIMEOUT="1", GEO_HTTP_DEADLINE="1.5")
    sources = {"demo": make_source("demo", hard_server.url("/trickle.json"))}
    started = time.monotonic()
    [result] = fetch(settings=settings, sources=sources, groups={}, progress=False)
    assert not result.ok and "durée maximale" in result.message, result.message
    assert time.monotonic() - started < 5  # the whole body would take 20 s
    assert temp_files(settings) == []


@pytest.mark.parametrize(
    "path", ["/to-localhost.json", "/to-https-elsewhere.json", "/to-http-elsewhere.json"]
)
def test_redirects_leave_neither_the_host_nor_https(
    tmp_path: Path, hard_server: FakeServer, path: str
) -> None:
    settings = make_settings(tmp_path)
    sources = {"demo": make_source("demo", hard_server.url(path), "csv")}
    asked = len(hard_server.requests)
    [result] = fetch(settings=settings, sources=sources, groups={}, progress=False)
    assert not result.ok and "redirection refusée" in result.message, result.message
    assert len(hard_server.requests) == asked + 1  # the redirect was not followed
    assert cached_path("demo", settings, sources=sources) is None


def test_redirect_rule() -> None:
    from geo.sources.download import redirect_allowed

    declared = {"object.data.gouv.fr", "static.data.gouv.fr"}
    origin = "https://www.data.gouv.fr/fr/r/1"
    assert redirect_allowed(origin, "https://static.data.gouv.fr/x.csv", declared)
    assert redirect_allowed(origin, "https://www.data.gouv.fr/fr/r/2", declared)
    assert not redirect_allowed(origin, "http://static.data.gouv.fr/x.csv", declared)
    assert not redirect_allowed(origin, "https://evil.example/x.csv", declared)
    assert not redirect_allowed(origin, "ftp://static.data.gouv.fr/x.csv", declared)
    # Within the same origin (a test server in http), a redirect changes nothing.
    assert redirect_allowed("http://127.0.0.1:80/a", "http://127.0.0.1:80/b", declared)
    assert not redirect_allowed("http://127.0.0.1:80/a", "http://127.0.0.1:81/b", declared)


def test_a_symlink_in_the_mirror_is_not_followed_outside_it(tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("id;nom\nx;données hors du miroir\n", encoding="utf-8")
    mirror = tmp_path / "miroir"
    (mirror / "example.org").mkdir(parents=True)
    (mirror / "example.org" / "bornes.csv").symlink_to(secret)
    settings = make_settings(tmp_path)
    sources = {"irve": make_source("irve", "https://example.org/bornes.csv", "csv")}
    [result] = fetch(settings=settings, sources=sources, groups={}, mirror=mirror, progress=False)
    assert not result.ok and "hors du miroir" in result.message, result.message
    assert cached_path("irve", settings, sources=sources) is None
    assert not status(settings, sources=sources)[0]["cached"]


@pytest.mark.parametrize(
    "url", ["https://../etc/passwd", "https://./etc/passwd", "https://a..b/x.csv",
            "https://-x.org/a.csv", "https://exa mple.org/a.csv"]
)  # fmt: skip
def test_a_declared_url_whose_host_is_not_a_host_is_refused(url: str) -> None:
    from geo.errors import FetchError

    with pytest.raises(FetchError, match="hôte"):
        mirror_path(url, Path("/m"))


def test_a_corrupt_cached_copy_is_fetched_again(tmp_path: Path, server: FakeServer) -> None:
    settings = make_settings(tmp_path)
    sources = {"demo": make_source("demo", server.url("/good.geojson"), "geojson")}
    fetch(settings=settings, sources=sources, groups={}, progress=False)
    parquet = settings.data_dir / "demo.parquet"
    good = parquet.read_bytes()
    parquet.write_bytes(good[: len(good) // 2])  # a disk error, an interrupted copy…
    [again] = fetch(settings=settings, sources=sources, groups={}, progress=False)
    assert again.ok and not again.skipped and "endommagée" in again.message, again.message
    assert len(geopandas.read_parquet(parquet)) == 2
    raw = settings.data_dir / "raw" / "demo.geojson"
    raw.write_bytes(raw.read_bytes().replace(b"38001", b"99999"))
    [third] = fetch(settings=settings, sources=sources, groups={}, progress=False)
    assert third.ok and not third.skipped and raw.read_bytes() == GOOD_GEOJSON
    [fourth] = fetch(settings=settings, sources=sources, groups={}, progress=False)
    assert fourth.skipped  # an intact copy is still skipped
