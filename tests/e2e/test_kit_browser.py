"""The app run from an offline kit (``GEO_OFFLINE=1 GEO_DATA_DIR=KIT``) with no network for
its process (no mirror, proxies on a closed port, geocoders on a local server that records
any call) and the browser's every non-local request failing the test: the Explorer shows the
kit's projects, the portrait and a tour open, a phone finds a square in the kit's address
file and sends an idea there to a workshop; not one request fails. And the kit installed as
its README says, with the network off (pip with ``--no-index --find-links wheels`` and no
configuration, in a network namespace of its own where the machine allows one), then
started as its README says: the map shows."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fakeserver import serve

from geo.kit import build_kit
from geo.kit.install import python_version
from geo.settings import get_settings
from geo.store import ProjectFilter, ProjectStore
from geo.store.identity import Operator
from geo.territory import TerritoryRef, load_territories
from geo.territory.loading import forget_loaded
from geo.workshop import room, stops

pytestmark = pytest.mark.e2e

APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
TIMEOUT_MS = 60_000
OPERATOR = Operator("essai")
METRO = TerritoryRef("epci", "200040715")
PROJECTS = [
    {"title": "Toits solaires des écoles", "themes": ["energie"], "lat": 45.1885, "lon": 5.7245},
    {"title": "Vélos partagés du centre", "themes": ["mobilite"], "lat": 45.1900, "lon": 5.7300},
    {"title": "Chaufferie bois d'Échirolles", "themes": ["energie"], "lat": 45.1450, "lon": 5.7200},
    {"title": "Autopartage de Crolles", "themes": ["mobilite"], "lat": 45.2850, "lon": 5.8830},
    {"title": "Chaleur renouvelable à Paris", "themes": ["energie"], "lat": 48.8566, "lon": 2.3522},
]
BAN = Path(__file__).resolve().parents[1] / "data" / "ban"  # adresses-38.csv, see its README
PROXY = "http://127.0.0.1:9"  # nothing listens there: any proxied request fails


@pytest.fixture(scope="module")
def kit(geo_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A kit of the Métropole built from a main store holding the projects and a tour."""
    folder = tmp_path_factory.mktemp("kit-origine")
    settings = replace(
        get_settings(), database_url=f"sqlite:///{folder / 'projets.sqlite'}", demo=False
    )
    store = ProjectStore(settings=settings, locate=load_territories(settings))
    rows = [row | {"source": "essai-kit", "external_id": str(n)} for n, row in enumerate(PROJECTS)]
    ids = [int(r.id) for r in store.add_many(rows, actor=OPERATOR, status="publie")]
    tour, key = store.tours.create("Atelier au village", territory=str(METRO))
    first = {"territoire": str(METRO), "projet": str(ids[0])}
    store.tours.add_stop(
        tour, kind="explorer", title="Les projets de la Métropole", params=first, token=key
    )
    store.tours.add_stop(
        tour,
        kind="portrait",
        title="Grenoble en chiffres",
        params={"territoire": "commune:38185"},
        token=key,
    )
    store.tours.set_status(tour, "publie", token=key)
    store.close()
    out = tmp_path_factory.mktemp("kits") / "metro"
    # With its wheels, as the CLI builds it: pip wheel through this machine's package indexes.
    report = build_kit(str(METRO), out, settings=settings, operator=OPERATOR, wheelhouse=True,
                       address_dir=BAN)  # fmt: skip
    forget_loaded()
    yield {"out": out, "report": report, "ids": ids, "tour": tour, "key": key}


@pytest.fixture
def offline_app(
    kit: dict, app_with_env: Callable[[dict[str, str]], AbstractContextManager[str]]
) -> Iterator[tuple[str, list[dict]]]:
    """The app on the kit, its process without network; the geocoders' calls recorded."""
    with serve({}) as geocoders:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("GEO_DATA_MIRROR", "DATABASE_URL", "GEO_DEMO")
        }
        env |= {
            "GEO_OFFLINE": "1",
            "GEO_DATA_DIR": str(kit["out"]),
            "GEO_GEOPLATEFORME_URL": geocoders.url("/geocodage"),
            "GEO_NOMINATIM_URL": geocoders.url("/nominatim"),
            "HTTP_PROXY": PROXY,
            "HTTPS_PROXY": PROXY,
            "ALL_PROXY": PROXY,
            "http_proxy": PROXY,
            "https_proxy": PROXY,
            "all_proxy": PROXY,
            "NO_PROXY": "",
        }
        with app_with_env(env) as url:
            yield url, geocoders.requests


#: Streamlit's frontend finds the server's base path by asking ``<page>/_stcore/health`` and
#: ``host-config`` first, then the same at the root: those first answers are 404 by design.
_BASE_PATH_PROBE = re.compile(r"^/[a-z]+/_stcore/(health|host-config)$")


def _failures(page: object) -> list[str]:
    """Every request that failed (refused, blocked, unreachable) or got an error status; not
    those the page itself cancels (``net::ERR_ABORTED``: a map frame replaced by the next,
    a navigation) nor the base-path probes."""
    failed: list[str] = []

    def request_failed(request: object) -> None:
        reason = request.failure or ""
        if "ERR_ABORTED" not in reason:
            failed.append(f"{reason} {request.url}")

    def response(answer: object) -> None:
        if answer.status >= 400 and not _BASE_PATH_PROBE.match(urlsplit(answer.url).path):
            failed.append(f"{answer.status} {answer.url}")

    page.on("requestfailed", request_failed)
    page.on("response", response)
    return failed


def test_the_app_runs_from_a_kit_with_no_network(
    kit: dict,
    offline_app: tuple[str, list[dict]],
    routed_context: Callable[..., tuple[object, object]],
    screenshots_dir: Path,
) -> None:
    from playwright.sync_api import expect

    url, geocoder_calls = offline_app
    context, network = routed_context(width=1280, height=800, tiles="aborted")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    failed = _failures(page)

    # The Explorer: the kit's projects of the Métropole on the map (4 in the kit; Paris is not).
    page.goto(f"{url}/?territoire=epci%3A200040715")
    page.wait_for_selector(APP_IDLE)
    frame = page.frame_locator(MAP_FRAME).last
    expect(frame.locator("path.territoire-selectionne.territoire-epci-200040715")).to_have_count(1)
    inside = 3  # the Crolles one is in the Grésivaudan (a neighbour): in the kit, not here
    frame.locator(".leaflet-container").wait_for()
    frame.locator(".leaflet-container").element_handle().owner_frame().wait_for_function(
        """(expected) => {
            const single = document.querySelectorAll('path.marqueur-projet').length;
            const grouped = Array.from(document.querySelectorAll('.marker-cluster'))
                .reduce((sum, c) => sum + parseInt(c.innerText, 10), 0);
            return single + grouped === expected;
        }""",
        arg=inside,
    )
    expect(page.get_by_role("heading", name=f"{inside} projets")).to_be_visible()
    page.screenshot(path=str(screenshots_dir / "kit-explorateur.png"))

    # The portrait of the Métropole, and the tour copied into the kit, presented.
    page.goto(f"{url}/portrait?territoire=epci%3A200040715")
    page.wait_for_selector(APP_IDLE)
    expect(page.get_by_role("heading", name="Grenoble-Alpes-Métropole")).to_be_visible()
    expect(page.get_by_role("heading", name="Projets ici")).to_be_visible()
    page.goto(f"{url}{stops.presentation_url(kit['tour'], stop=1)}")
    page.wait_for_selector(APP_IDLE)
    expect(page.locator(".st-key-presentation-titre h2")).to_have_text(
        "Les projets de la Métropole"
    )
    expect(
        page.frame_locator(MAP_FRAME).last.locator(f"path.projet-vedette-{kit['ids'][0]}")
    ).to_have_count(1)

    # A workshop in the kit: a phone's idea, placed offline on the map, stored in the kit.
    store = ProjectStore(
        settings=replace(
            get_settings(), data_dir=kit["out"], mirror=None, offline=True, database_url=None
        )
    )
    session = store.workshops.open(
        kit["tour"], territory=METRO, per_minute=3, cap=50, token=kit["key"]
    )
    phone, phone_network = routed_context(width=390, height=844, tiles="aborted")
    mobile = phone.new_page()
    mobile.set_default_timeout(TIMEOUT_MS)
    phone_failed = _failures(mobile)
    mobile.goto(room.participant_url(session.code, origin=url))
    mobile.wait_for_selector(APP_IDLE)
    mobile.get_by_label("Votre idée *").fill("Un abri vélo à la gare")
    mobile.get_by_role("button", name="Mobilité").click()
    mobile.wait_for_selector(APP_IDLE)
    # "At the market": the kit's address file finds the square with no network.
    mobile.get_by_text("Ou chercher une adresse").click()
    mobile.get_by_label("Adresse ou lieu").fill("place Grenette, Grenoble")
    mobile.get_by_role("button", name="Chercher").click()
    mobile.wait_for_selector(APP_IDLE)
    expect(mobile.get_by_text("fichier local de la Base Adresse Nationale")).to_be_visible()
    mobile.get_by_text("Place Grenette 38000 Grenoble (rue)").click()
    placed = mobile.locator('[data-testid="stCaptionContainer"]', has_text="location_on")
    expect(placed).to_have_count(1)
    mobile.wait_for_selector(APP_IDLE)
    mobile.screenshot(path=str(screenshots_dir / "kit-atelier-adresse-hors-ligne.png"))
    mobile.get_by_role("button", name="Envoyer mon idée").click()
    expect(mobile.get_by_text("Votre idée porte le n° 1")).to_be_visible()
    (idea,) = store.query(ProjectFilter(source="atelier")).items
    assert idea.status == "propose" and idea.code_commune == "38185"
    assert (idea.lat, idea.lon) == pytest.approx((45.1907, 5.7279))  # tests/data/ban
    store.close()

    assert network.external == [] and phone_network.external == []
    assert failed == [] and phone_failed == []
    assert geocoder_calls == []  # offline: the geocoders were never asked


def _sh_block(readme: str, heading: str) -> str:
    """The first ``sh`` block (Linux, macOS) of the README's section ``heading``."""
    section = readme.split(f"\n{heading}", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    assert match, f"no sh block under {heading!r}"
    return match.group(1)


def _no_network_env(tmp_path: Path) -> dict[str, str]:
    """A shell of a laptop with no network: no setting of this test session (mirror, data
    directory, store), no pip configuration or variable, every proxy on a closed port."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GEO_", "PIP_", "STREAMLIT_"))
        and k not in ("DATABASE_URL", "VIRTUAL_ENV", "PYTHONPATH")
    }
    env |= {"PIP_CONFIG_FILE": os.devnull, "NO_PROXY": "", "no_proxy": ""}
    env |= {name: PROXY for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy",
                                     "https_proxy", "all_proxy")}  # fmt: skip
    python = f"python{python_version()}"
    if shutil.which(python) is None:
        # The README names the Python the wheels are for: give this one that name.
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        (bin_dir / python).symlink_to(getattr(sys, "_base_executable", sys.executable))
        env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env


def _network_namespace() -> list[str]:
    """``unshare --net`` (a namespace with no interface up) where the machine allows it."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "--net", "true"], check=False).returncode == 0:
        return [unshare, "--net"]
    return []  # the proxies and pip's --no-index still leave it no way out


@pytest.mark.slow
def test_the_readme_installs_the_kit_with_the_network_off_and_the_map_shows(
    kit: dict,
    routed_context: Callable[..., tuple[object, object]],
    tmp_path: Path,
    screenshots_dir: Path,
) -> None:
    from playwright.sync_api import expect

    out = kit["out"]
    readme = (out / "README.md").read_text(encoding="utf-8")
    install, start = _sh_block(readme, "## 1. Installer"), _sh_block(readme, "## 2. Lancer")
    assert "--no-index --find-links wheels" in install
    assert kit["report"].wheels_bytes > 100e6  # the dependencies' wheels, sized in the README
    env = _no_network_env(tmp_path)

    installed = subprocess.run(
        [*_network_namespace(), "bash", "-euc", install],
        cwd=out, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    # The kit's environment holds the dependencies, not the project: the app runs from DIR/app.
    outside = subprocess.run([str(out / ".venv" / "bin" / "python"), "-c", "import geo"],
                             cwd=out, env=env, capture_output=True, check=False)  # fmt: skip
    assert outside.returncode != 0

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "streamlit.log"
    served = env | {
        "STREAMLIT_SERVER_PORT": str(port),
        "STREAMLIT_SERVER_ADDRESS": "127.0.0.1",
        "STREAMLIT_SERVER_HEADLESS": "true",  # no browser window opened by the server
    }
    with log_path.open("wb") as log:
        server = subprocess.Popen(["bash", "-euc", start], cwd=out, env=served, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not _answers(f"{url}/_stcore/health"):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the kit's app did not start:\n{log_path.read_text('utf-8')}")
            time.sleep(0.5)  # polling a server that is starting: not a wait on the page
        with urllib.request.urlopen(f"{url}/", timeout=10) as answer:
            assert answer.status == 200

        context, network = routed_context(width=1280, height=800, tiles="aborted")
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        failed = _failures(page)
        page.goto(f"{url}/?territoire=epci%3A200040715")
        page.wait_for_selector(APP_IDLE)
        frame = page.frame_locator(MAP_FRAME).last
        expect(frame.locator(".leaflet-container")).to_be_visible(timeout=TIMEOUT_MS)
        expect(
            frame.locator("path.territoire-selectionne.territoire-epci-200040715")
        ).to_have_count(1, timeout=TIMEOUT_MS)
        page.screenshot(path=str(screenshots_dir / "kit-installe-hors-ligne.png"))
        assert network.external == [] and failed == []
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the shell and the app it started
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    assert "Traceback" not in log_path.read_text(encoding="utf-8")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False
