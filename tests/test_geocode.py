"""The geocoder chain against a real local HTTP server playing the Géoplateforme and Nominatim.

The answers are small JSON files in the services' formats (``tests/data/geocode/``); the offline
step reads the real COG and commune outlines of the mirror. No test touches the internet.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import shapely
from fakeserver import FakeServer, Route, serve
from reference import ROOT, territories

from geo import geocode as geocode_module
from geo.geocode import GeocodeResult, RateLimiter, clear_cache, geocode
from geo.settings import Settings, get_settings

DATA = ROOT / "tests" / "data" / "geocode"
BAN_EXCERPT = ROOT / "tests" / "data" / "ban" / "adresses-38.csv"
GEOPLATEFORME_ANSWER = (DATA / "geoplateforme_10_rue_des_arts_grenoble.json").read_bytes()
GEOPLATEFORME_EMPTY = (DATA / "geoplateforme_empty.json").read_bytes()
NOMINATIM_ANSWER = (DATA / "nominatim_10_rue_des_arts_grenoble.json").read_bytes()
JSON = {"Content-Type": "application/json; charset=utf-8"}

GEOPLATEFORME_PATH = "/geocodage/search"
NOMINATIM_PATH = "/nominatim/search"
USER_AGENT = "carte-communs-energie-tests/1.0 (tests)"
ADDRESS = "10 rue des Arts Grenoble"
GRENOBLE = "38185"


class FakeClock:
    """A monotonic clock that only moves when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


class StampedRequests(list):
    """The fake server's request log, each request stamped with the given clock on arrival."""

    def __init__(self, clock: Callable[[], float]) -> None:
        super().__init__()
        self._clock = clock

    def append(self, request: dict[str, Any]) -> None:
        super().append({**request, "at": self._clock()})


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClock]:
    """A fresh cache and a Nominatim rate limiter on a fake clock: no test sleeps for real."""
    fake = FakeClock()
    monkeypatch.setattr(
        geocode_module, "NOMINATIM_RATE", RateLimiter(1.0, clock=fake, sleep=fake.sleep)
    )
    clear_cache()
    yield fake
    clear_cache()


def make_settings(
    *, offline: bool = False, timeout: float = 5.0, data_dir: Path | None = None
) -> Settings:
    environ = {
        "GEO_OFFLINE": "1" if offline else "0",
        "GEO_HTTP_TIMEOUT": str(timeout),
        "GEO_USER_AGENT": USER_AGENT,
    }
    if data_dir is not None:
        environ["GEO_DATA_DIR"] = str(data_dir)
    return get_settings(environ, secrets={})


@pytest.fixture(scope="module")
def shared_server() -> Iterator[FakeServer]:
    with serve({}) as fake:
        yield fake


@pytest.fixture
def server(shared_server: FakeServer) -> FakeServer:
    """The module's server, answering like both services, with an empty request log."""
    answer(shared_server)
    shared_server.requests = []
    return shared_server


def answer(
    server: FakeServer, geoplateforme: Route | None = None, nominatim: Route | None = None
) -> None:
    server.routes.clear()
    server.routes[GEOPLATEFORME_PATH] = geoplateforme or Route(GEOPLATEFORME_ANSWER, headers=JSON)
    server.routes[NOMINATIM_PATH] = nominatim or Route(NOMINATIM_ANSWER, headers=JSON)


def urls(server: FakeServer) -> dict[str, str]:
    return {
        "geoplateforme_url": server.url("/geocodage"),
        "nominatim_url": server.url("/nominatim"),
    }


def hits(server: FakeServer, path: str) -> list[dict[str, Any]]:
    return [r for r in server.requests if r["path"].split("?", 1)[0] == path]


def params(request: dict[str, Any]) -> dict[str, list[str]]:
    return parse_qs(urlsplit(request["path"]).query)


def test_geoplateforme_answer_is_used_and_parsed(server: FakeServer) -> None:
    results = geocode(ADDRESS, settings=make_settings(), **urls(server))
    assert [r["path"].split("?")[0] for r in server.requests] == [GEOPLATEFORME_PATH]
    request = server.requests[0]

    assert params(request)["q"] == [ADDRESS]
    assert params(request)["limit"] == ["5"]
    assert request["headers"]["User-Agent"] == USER_AGENT
    # GeoJSON is [lon, lat]: a swap would put the address in the Indian Ocean.
    assert results[0] == GeocodeResult(
        label="10 Rue des Arts 38000 Grenoble",
        lat=45.1841,
        lon=5.7266,
        kind="adresse",
        code_commune=GRENOBLE,
        source="geoplateforme",
        approximate=False,
    )
    assert (results[1].kind, results[1].approximate) == ("rue", True)
    assert len(results) == 2


def test_default_urls_are_the_official_services(monkeypatch: pytest.MonkeyPatch) -> None:
    """geopy appends /search to the domain: the request goes to data.geopf.fr/geocodage/search."""
    asked: list[tuple[str, dict[str, str], float]] = []

    def no_network(self: Any, url: str, callback: Callable, **kwargs: Any) -> object:
        # Below the URL building and above any HTTP adapter: nothing can leave the machine.
        asked.append((url, self.headers, self.timeout))
        return callback({"type": "FeatureCollection", "features": []} if "geopf" in url else [])

    monkeypatch.setattr("geopy.geocoders.base.Geocoder._call_geocoder", no_network)
    assert geocode(ADDRESS, settings=make_settings(timeout=7)) == []

    (geopf_url, geopf_headers, geopf_timeout), (osm_url, osm_headers, osm_timeout) = asked
    assert geopf_url.startswith("https://data.geopf.fr/geocodage/search?")
    assert parse_qs(urlsplit(geopf_url).query)["q"] == [ADDRESS]
    assert osm_url.startswith("https://nominatim.openstreetmap.org/search?")
    assert parse_qs(urlsplit(osm_url).query)["countrycodes"] == ["fr"]
    assert geopf_headers["User-Agent"] == osm_headers["User-Agent"] == USER_AGENT
    assert geopf_timeout == osm_timeout == 7


def _nominatim_checks(server: FakeServer, results: list[GeocodeResult]) -> None:
    (request,) = hits(server, NOMINATIM_PATH)
    assert params(request)["q"] == [ADDRESS]
    assert params(request)["countrycodes"] == ["fr"]
    assert request["headers"]["User-Agent"] == USER_AGENT
    assert results[0].source == "nominatim"
    assert results[0].label.startswith("10, Rue des Arts, Championnet")
    assert (results[0].lat, results[0].lon) == (45.18412, 5.72658)
    assert (results[0].kind, results[0].approximate) == ("adresse", False)
    assert (results[1].kind, results[1].approximate) == ("rue", True)


def test_geoplateforme_error_falls_back_to_nominatim(server: FakeServer) -> None:
    reference = territories()
    answer(server, geoplateforme=Route(b'{"code": 500}', status=500))
    results = geocode(ADDRESS, settings=make_settings(), territories=reference, **urls(server))
    _nominatim_checks(server, results)
    # Nominatim gives no INSEE code: it comes from the outlines.
    assert {r.code_commune for r in results} == {GRENOBLE}


def test_failures_are_logged_in_french(
    server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    answer(server, geoplateforme=Route(b'{"code": 500}', status=500))
    with caplog.at_level(logging.DEBUG, logger="geo.geocode"):
        geocode(ADDRESS, settings=make_settings(), **urls(server))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "Géocodeur geoplateforme en échec (erreur du service, GeocoderServiceError) : passage "
        "à l'étape suivante"
    ]
    details = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any(m.startswith("Détail de l'échec du géocodeur geoplateforme : ") for m in details)


def test_geoplateforme_timeout_falls_back_to_nominatim_without_retry(server: FakeServer) -> None:
    answer(server, geoplateforme=Route(GEOPLATEFORME_ANSWER, headers=JSON, behaviour="slow"))
    started = time.monotonic()
    results = geocode(ADDRESS, settings=make_settings(timeout=0.3), **urls(server))
    elapsed = time.monotonic() - started
    _nominatim_checks(server, results)
    assert results[0].code_commune is None  # no territories given, nothing to locate with
    # One user action is one request: geopy's requests adapter would have retried twice.
    assert len(hits(server, GEOPLATEFORME_PATH)) == 1
    assert elapsed < 3


def test_geoplateforme_finding_nothing_falls_back_to_nominatim(server: FakeServer) -> None:
    answer(server, geoplateforme=Route(GEOPLATEFORME_EMPTY, headers=JSON))
    results = geocode(ADDRESS, settings=make_settings(), **urls(server))
    _nominatim_checks(server, results)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


BROKEN = {
    "HTTP 500": Route(b"Internal Server Error", status=500),
    "HTTP 429": Route(b"Too Many Requests", status=429, headers={"Retry-After": "1"}),
    "maintenance page": Route(b"<html><body>Maintenance</body></html>", headers=JSON),
    "truncated JSON": Route(GEOPLATEFORME_ANSWER[:50], headers=JSON),
    "wrong shape": Route(b'{"features": [{"geometry": {}}]}', headers=JSON),
    "cut connection": Route(GEOPLATEFORME_ANSWER, behaviour="truncate"),
}


@pytest.mark.parametrize("failure", [*BROKEN, "nothing listening"])
def test_both_services_failing_fall_back_to_the_cog(server: FakeServer, failure: str) -> None:
    reference = territories()
    broken = BROKEN.get(failure, Route())
    nominatim_broken = (
        Route(b'[{"lat": "x"}]', headers=JSON) if failure == "wrong shape" else broken
    )
    answer(server, broken, nominatim_broken)
    targets = urls(server)
    if failure == "nothing listening":
        dead = f"http://127.0.0.1:{_free_port()}"
        targets = {"geoplateforme_url": dead + "/geocodage", "nominatim_url": dead}
    results = geocode(
        "Grenoble", settings=make_settings(timeout=2), territories=reference, **targets
    )
    if failure != "nothing listening":
        assert len(server.requests) == 2  # both were asked, once each
    first = results[0]
    assert (first.code_commune, first.kind, first.source) == (GRENOBLE, "commune", "hors-ligne")
    assert first.approximate
    assert first.label == "Grenoble (commune, Isère)"
    point = shapely.Point(first.lon, first.lat)
    assert reference.outline("commune", GRENOBLE).contains(point)
    assert reference.locate([first.lat], [first.lon])["code_commune"][0] == GRENOBLE


def test_offline_setting_sends_no_request(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = territories()
    results = geocode(
        ADDRESS, settings=make_settings(offline=True), territories=reference, **urls(server)
    )
    assert server.requests == []
    assert [(r.code_commune, r.source, r.approximate) for r in results] == [
        (GRENOBLE, "hors-ligne", True)
    ]

    def no_request(*args: object, **kwargs: object) -> None:
        raise AssertionError("a request was built while offline")

    # The official services too: not even a URL is built for them.
    monkeypatch.setattr("geopy.geocoders.base.Geocoder._call_geocoder", no_request)
    assert geocode("Grenoble", settings=make_settings(offline=True), territories=reference)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Grenoble", GRENOBLE),
        ("  grenoble ", GRENOBLE),
        ("Grenble", GRENOBLE),  # typo: fuzzy match on the whole query
        ("38000", GRENOBLE),  # postal code
        ("10 rue des Arts, 38000 Grenoble", GRENOBLE),
        ("Grenoble, 10 rue des Arts", GRENOBLE),
        ("12 avenue Ambroise Croizat 38400 Saint-Martin-d'Hères", "38421"),
        ("12 avenue Ambroise Croizat 38400", "38421"),  # postal code only
        ("st martin d heres", "38421"),
    ],
)
def test_offline_guess_reads_commune_names_and_postal_codes(query: str, expected: str) -> None:
    results = geocode(query, settings=make_settings(offline=True), territories=territories())
    assert results[0].code_commune == expected
    assert all(r.kind == "commune" and r.source == "hors-ligne" for r in results)


def test_offline_skips_communes_whose_outline_is_not_loaded() -> None:
    reference = territories()
    assert reference.exists("commune", "69123")  # Lyon is in the COG, not in the outlines
    assert geocode("Lyon", settings=make_settings(offline=True), territories=reference) == []


def test_offline_without_territories_finds_nothing() -> None:
    assert geocode("Grenoble", settings=make_settings(offline=True)) == []


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_empty_query_returns_nothing_and_asks_nobody(server: FakeServer, query: str) -> None:
    assert geocode(query, settings=make_settings(), **urls(server)) == []
    assert server.requests == []


def test_too_short_for_the_geoplateforme_goes_to_nominatim(server: FakeServer) -> None:
    geocode("Eu", settings=make_settings(), **urls(server))
    assert [r["path"].split("?")[0] for r in server.requests] == [NOMINATIM_PATH]


def test_answers_are_cached_between_reruns(server: FakeServer) -> None:
    first = geocode(ADDRESS, settings=make_settings(), **urls(server))
    again = geocode(" 10 RUE des arts  grenoble", settings=make_settings(), **urls(server))
    fewer = geocode(ADDRESS, settings=make_settings(), limit=1, **urls(server))
    assert len(server.requests) == 2  # the third call asked for a different limit
    assert first == again
    assert len(fewer) == 1


def test_answers_after_a_failure_are_cached_briefly(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()
    monkeypatch.setattr(geocode_module, "_CACHE", geocode_module._Cache(16, clock=clock))
    failing = Route(b"down", status=503)
    answer(server, failing, failing)
    for _ in range(3):  # Streamlit reruns: the dead services are not waited for again
        geocode("Grenoble", settings=make_settings(), territories=territories(), **urls(server))
    assert len(server.requests) == 2
    clock.sleep(geocode_module.CACHE_SECONDS_AFTER_FAILURE + 1)
    geocode("Grenoble", settings=make_settings(), territories=territories(), **urls(server))
    assert len(server.requests) == 4


def test_nominatim_is_asked_at_most_once_a_second(server: FakeServer, clock: FakeClock) -> None:
    """Seen by the server on the injected clock: no real sleeping."""
    answer(server, geoplateforme=Route(b"", status=500))
    server.requests = StampedRequests(clock)
    for query in ("Grenoble", "Échirolles", "Meylan"):
        geocode(query, settings=make_settings(), **urls(server))
    stamps = [r["at"] for r in hits(server, NOMINATIM_PATH)]
    assert len(stamps) == 3
    assert all(later - earlier >= 1.0 for earlier, later in itertools.pairwise(stamps))
    assert stamps[-1] - stamps[0] >= 2.0


def test_nominatim_rate_limit_in_real_time(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same on the real clock, once (about 2 s): the limiter really waits."""
    monkeypatch.setattr(geocode_module, "NOMINATIM_RATE", RateLimiter(1.0))
    answer(server, geoplateforme=Route(b"", status=500))
    server.requests = StampedRequests(time.monotonic)
    for query in ("Grenoble", "Échirolles", "Meylan"):
        geocode(query, settings=make_settings(), **urls(server))
    stamps = [r["at"] for r in hits(server, NOMINATIM_PATH)]
    assert len(stamps) == 3
    # The limiter spaces the sends by 1 s; arrival adds a few ms of jitter either way.
    assert stamps[-1] - stamps[0] >= 2.0 - 0.05


def test_rate_limiter_serialises_threads_and_refuses_long_queues() -> None:
    frozen = FakeClock()
    waits: list[float] = []
    limiter = RateLimiter(1.0, max_wait=2.5, clock=frozen, sleep=waits.append)
    granted: list[bool] = []
    barrier = threading.Barrier(5)

    def worker() -> None:
        barrier.wait()
        granted.append(limiter.acquire())

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    # Slots at +0, +1, +2 s whatever the threads' order; +3 s is beyond max_wait.
    assert sorted(granted) == [False, False, True, True, True]
    assert sorted(waits) == [1.0, 2.0]


def test_full_nominatim_queue_falls_through_to_offline(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen = FakeClock()
    busy = RateLimiter(1.0, max_wait=0.5, clock=frozen, sleep=frozen.sleep)
    assert busy.acquire()  # another user's request holds the next second
    monkeypatch.setattr(geocode_module, "NOMINATIM_RATE", busy)
    answer(server, geoplateforme=Route(b"", status=500))
    results = geocode(
        "Grenoble", settings=make_settings(), territories=territories(), **urls(server)
    )
    assert hits(server, NOMINATIM_PATH) == []
    assert results[0].source == "hors-ligne"


def test_markup_in_the_query_is_url_encoded_and_labels_stay_plain_text(server: FakeServer) -> None:
    query = '<script>alert("x")</script> 10 rue des Arts & Cie #1 Grenoble'
    recorded = json.loads(GEOPLATEFORME_ANSWER)
    label = '<img src=x onerror="alert(1)"> 10 Rue des Arts &amp; Cie\n38000   Grenoble'
    recorded["features"][0]["properties"]["label"] = label
    body = json.dumps(recorded).encode()
    answer(server, geoplateforme=Route(body, headers=JSON))
    results = geocode(query, settings=make_settings(), **urls(server))
    (request,) = server.requests
    raw_query = urlsplit(request["path"]).query
    assert not set('<>"& #') & set(raw_query.replace("&limit=", ""))
    assert "%3Cscript%3E" in raw_query
    assert params(request)["q"] == [query]
    # Neither escaped nor unescaped here (the renderer escapes); whitespace is tidied.
    assert results[0].label == (
        '<img src=x onerror="alert(1)"> 10 Rue des Arts &amp; Cie 38000 Grenoble'
    )


# --- offline: a local address file (the BAN's format) ------------------------------------------


@pytest.fixture
def addresses(tmp_path: Path) -> Path:
    """A data directory holding the BAN excerpt of tests/data/ban, gzipped as published."""
    folder = tmp_path / "donnees" / "adresses"
    folder.mkdir(parents=True)
    (folder / "adresses-38.csv.gz").write_bytes(gzip.compress(BAN_EXCERPT.read_bytes()))
    clear_cache()
    return tmp_path / "donnees"


def offline_search(query: str, data_dir: Path, limit: int = 5) -> list[GeocodeResult]:
    settings = make_settings(offline=True, data_dir=data_dir)
    return geocode(query, settings=settings, territories=territories(), limit=limit)


@pytest.mark.parametrize(
    ("query", "label", "point"),
    [
        ("10 rue des Arts, 38000 Grenoble", "10 Rue des Arts 38000 Grenoble", (45.1841, 5.7266)),
        ("10 RUE DES ARTS grenoble", "10 Rue des Arts 38000 Grenoble", (45.1841, 5.7266)),
        ("10 rue des arst grenoble", "10 Rue des Arts 38000 Grenoble", (45.1841, 5.7266)),  # typo
        ("10 bis rue des Arts Grenoble", "10 bis Rue des Arts 38000 Grenoble", (45.18405, 5.72672)),
        ("10bis rue des Arts 38000", "10 bis Rue des Arts 38000 Grenoble", (45.18405, 5.72672)),
        ("15 av. Alsace-Lorraine", "15 Avenue Alsace-Lorraine 38000 Grenoble", (45.188, 5.7199)),
        ("12 avenue gabriel peri st martin d heres",
         "12 Avenue Gabriel Péri 38400 Saint-Martin-d'Hères", (45.177, 5.756)),
    ],
)  # fmt: skip
def test_offline_finds_the_address_of_a_local_address_file(
    addresses: Path, query: str, label: str, point: tuple[float, float]
) -> None:
    first = offline_search(query, addresses)[0]
    assert (first.label, first.kind, first.source, first.approximate) == (
        label, "adresse", "fichier-adresses", False,
    )  # fmt: skip
    assert (first.lat, first.lon) == pytest.approx(point)
    located = territories().locate([first.lat], [first.lon])["code_commune"][0]
    assert first.code_commune == located


def test_offline_finds_a_street_when_its_number_is_unknown(addresses: Path) -> None:
    for query in ("place Grenette", "8 place grenette grenoble", "10 ter rue des arts 38000"):
        first = offline_search(query, addresses)[0]
        assert (first.kind, first.approximate, first.code_commune) == ("rue", True, GRENOBLE)
    street = offline_search("Rue des Arts, 38000 Grenoble", addresses)[0]
    assert street.label == "Rue des Arts 38000 Grenoble"
    # Its point is one of its addresses (the nearest to its middle), never off the street.
    assert (street.lat, street.lon) == pytest.approx((45.1841, 5.7266))
    # A named place with no number (the BAN's 99999) is a street too.
    (brocey, *_) = offline_search("Le Brocey Crolles", addresses)
    assert (brocey.label, brocey.kind, brocey.code_commune) == (
        "Le Brocey 38920 Crolles", "rue", "38140",
    )  # fmt: skip


def test_offline_homonym_streets_follow_the_commune_named(addresses: Path) -> None:
    grenoble, echirolles = offline_search("rue des Arts", addresses)[:2]
    assert {grenoble.code_commune, echirolles.code_commune} == {GRENOBLE, "38151"}
    named = offline_search("5 rue des Arts Échirolles", addresses)
    assert named[0].label == "5 Rue des Arts 38130 Échirolles" and named[0].kind == "adresse"
    by_postal_code = offline_search("rue des arts 38130", addresses)
    assert by_postal_code[0].code_commune == "38151"
    # The communes the query names come after its streets.
    assert [r.kind for r in named] == ["adresse", "rue", "commune"]


def test_offline_commune_names_are_not_taken_for_streets(addresses: Path) -> None:
    """A commune's name ("Grenoble") is not taken for every street whose name holds it."""
    for query in ("Grenoble", "38000", "Échirolles"):
        results = offline_search(query, addresses)
        assert results and all(r.kind == "commune" for r in results)
    assert offline_search("rue inconnue", addresses) == []


def test_offline_address_file_missing_or_broken_leaves_the_commune_guess(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clear_cache()
    first = offline_search("10 rue des Arts Grenoble", tmp_path)[0]  # no adresses/ folder
    assert first.kind == "commune"
    (tmp_path / "adresses").mkdir()
    (tmp_path / "adresses" / "adresses-38.csv").write_text("pas;une;adresse\n1;2;3\n", "utf-8")
    (tmp_path / "adresses" / "adresses-73.csv.gz").write_bytes(b"tronque")
    clear_cache()
    with caplog.at_level(logging.WARNING, logger="geo.geocode"):
        assert offline_search("10 rue des Arts Grenoble", tmp_path)[0].kind == "commune"
    warned = [r.getMessage() for r in caplog.records]
    assert any("adresses-38.csv" in m for m in warned) and any("adresses-73" in m for m in warned)


def test_an_address_file_added_or_changed_is_read_again(addresses: Path, tmp_path: Path) -> None:
    assert offline_search("20 cours Romestang Vienne", addresses)[0].kind == "adresse"
    folder = addresses / "adresses"
    (folder / "adresses-38.csv.gz").unlink()
    lines = BAN_EXCERPT.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [lines[0], *(line for line in lines[1:] if ";38544;" not in line)]  # no Vienne
    (folder / "adresses-38.csv").write_text("".join(kept), encoding="utf-8")
    clear_cache()  # the answers' cache; the file index is checked against the files anyway
    assert offline_search("20 cours Romestang Vienne", addresses)[0].kind == "commune"


def test_every_point_of_the_address_excerpt_is_in_its_commune() -> None:
    """What tests/data/ban/README.md says of its hand-written points."""
    rows = list(csv.DictReader(io.StringIO(BAN_EXCERPT.read_text("utf-8")), delimiter=";"))
    placed = [r for r in rows if r["lat"]]
    assert len(rows) == 16 and len(placed) == 15
    located = territories().locate([float(r["lat"]) for r in placed],
                                   [float(r["lon"]) for r in placed])  # fmt: skip
    assert list(located["code_commune"]) == [r["code_insee"] for r in placed]
