"""``python -m geo bench app``: the app as a visitor meets it, measured in a real Chromium.

Starts ``streamlit run app.py`` on a free local port (data already fetched and prepared in the
bench's data directory: "with data cached"), and measures, ``--repeat`` times each:

- ``first_start_map_seconds``: server start → first usable map with an empty project store
  (the demo projects are loaded by the server's first run of the app);
- ``cold_map_seconds``: server start → first usable map, the store already filled (a restart
  on the store that first start filled). The visitor arrives as soon as the server answers
  its health check; the server's own first run of the app (app.py's warm-up) runs meanwhile;
- ``warm_map_seconds``: the next visit of the same visitor (browser cache kept) to the
  running server → usable map; ``new_visitor_map_seconds``: a first visit (empty cache)
  to the running server;
- ``national_view_bytes``: what the browser receives over Streamlit's websocket for the
  national view (the map, its layers, the page);
- ``server_rss_mb``: the server's peak resident memory once every view was opened (every
  dataset overlay, indicators at each level, the Carte page, a territory of each level).

- ``rerun_seconds``: server time of the Explorer's script after a filter change, each of 12
  changes (themes, categories, stages, carriers, text, territory…), run through Streamlit's
  AppTest in this process; ``commune_indicator_first_pick_seconds``: the first choice of a
  commune-level indicator at the national view (drawn as a picture: outlines too heavy).

"Usable map" is Leaflet drawn in the map frame with the project markers (or clusters) on it.
Figures are the median of the runs; every run is in ``*_runs``. Needs Playwright and Debian's
Chromium (``/usr/bin/chromium``), the test dependencies.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
MARKS = "path.marqueur-projet, .marker-cluster"
#: Tiles would come from the internet: the bench measures the app, not the tile servers, so
#: every host name fails to resolve (the app is reached by its IP address). Not by Playwright's
#: request routing, which turns the browser's HTTP cache off: a next visit would download
#: Streamlit's front end again, which a returning visitor's browser does not.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]  # fmt: skip
#: Every view a visitor can open, to measure the server's memory once all are loaded.
VIEWS = (
    "/",
    "/?couches=irve,covoiturage,stationnement_velo",
    "/?indicateur=irve:points_de_charge:departement",
    "/?indicateur=covoiturage:places:region",
    "/?indicateur=amenagements_cyclables:longueur_m:departement",
    "/?territoire=departement:33&indicateur=projets:commune",
    "/?territoire=epci:200040715&indicateur=covoiturage:places:commune",
    "/?territoire=region:94&couches=irve",
    "/carte",
    "/carte?territoire=commune:33063",
    "/carte?territoire=departement:974",
)
TIMEOUT_MS = 120_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as answer:
            return answer.status == 200
    except OSError:
        return False


@contextmanager
def server(env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen[bytes], float]]:
    """The app on a free port: ``(url, process, start time)``; stopped afterwards."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", "app.py",
               "--server.headless", "true", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
               "--browser.gatherUsageStats", "false"]  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        while not _healthy(url):
            if process.poll() is not None or time.perf_counter() - started > 120:
                error = process.stderr.read().decode(errors="replace") if process.stderr else ""
                msg = f"Le serveur n'a pas démarré :\n{error[-3000:]}"
                raise SystemExit(msg)
            time.sleep(0.02)
        yield url, process, started
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _usable_map(page: object) -> None:
    """Wait until Leaflet is drawn with the projects on it."""
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator(".leaflet-container").wait_for(state="visible", timeout=TIMEOUT_MS)
    frame.locator(MARKS).first.wait_for(state="attached", timeout=TIMEOUT_MS)


def visit(context: object, url: str, *, count_bytes: bool = False) -> tuple[float, int]:
    """Open ``url`` in a new page of ``context``: (seconds to a usable map, websocket bytes)."""
    received = [0]
    page = context.new_page()
    if count_bytes:

        def on_socket(socket: object) -> None:
            socket.on("framereceived", lambda payload: received.__setitem__(
                0, received[0] + len(payload if isinstance(payload, bytes) else
                                     payload.encode("utf-8"))))  # fmt: skip

        page.on("websocket", on_socket)
    start = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
    _usable_map(page)
    seconds = time.perf_counter() - start
    if count_bytes:
        page.wait_for_selector(APP_IDLE, timeout=TIMEOUT_MS)
    page.close()
    return seconds, received[0]


def _visitor(browser: object) -> object:
    return browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def _open_every_view(browser: object, url: str) -> None:
    context = _visitor(browser)
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url)
               else route.abort())  # fmt: skip
    for view in VIEWS:
        page.goto(url + view, timeout=TIMEOUT_MS)
        page.wait_for_selector(APP_IDLE, timeout=TIMEOUT_MS)
        page.frame_locator(MAP_FRAME).first.locator(".leaflet-container").wait_for(
            timeout=TIMEOUT_MS
        )
    context.close()


#: (widget, key, action, value): the filter changes a visitor makes, one rerun each.
FILTER_CHANGES = (
    ("button_group", "f_themes", "select", "energie"),
    ("button_group", "f_categories", "select", "solaire"),
    ("button_group", "f_themes", "unselect", "energie"),
    ("button_group", "f_themes", "select", "mobilite"),
    ("button_group", "f_etapes", "select", "en_service"),
    ("button_group", "f_porteurs", "select", "association"),
    ("text_input", "f_texte", "input", "vélo"),
    ("text_input", "f_texte", "input", ""),
    ("text_input", "f_territoire", "input", "Gironde"),
    ("button_group", "f_etapes", "unselect", "en_service"),
    ("text_input", "f_territoire", "input", ""),
    ("button_group", "f_themes", "unselect", "mobilite"),
)


def bench_reruns(env: dict[str, str]) -> dict[str, object]:
    """Script time of the Explorer after each filter change, through AppTest (the server's
    own run of the script: no browser, no network)."""
    from streamlit.testing.v1 import AppTest

    os.environ.update(env)
    page = AppTest.from_file(str(ROOT / "navigation.py"), default_timeout=120)
    page.run()  # the first run: imports, reference, store (not a rerun)
    page.run()
    samples = []
    for widget, key, action, value in FILTER_CHANGES:
        element = getattr(page, widget)(key=key)
        change = getattr(element, action)(value)
        start = time.perf_counter()
        change.run()
        samples.append(round(time.perf_counter() - start, 4))
        if page.exception:
            raise SystemExit(f"Erreur de la page : {page.exception}")
    page.selectbox(key="f_indicateur").set_value("projets").run()  # drawn by région
    start = time.perf_counter()
    page.button_group(key="f_indicateur_niveau").set_value("commune").run()
    first_pick = round(time.perf_counter() - start, 4)
    drawn = not page.warning and not page.exception
    return {
        "rerun_seconds": samples,
        "rerun_seconds_median": statistics.median(samples),
        "rerun_seconds_max": max(samples),
        "commune_indicator_first_pick_seconds": first_pick,
        "commune_indicator_drawn": drawn,
    }


def _prepare_data(env: dict[str, str]) -> None:
    """Fetch (from the mirror) and prepare what the app reads, before any timing; compile the
    project's modules as a server's first start does (README, Deploying: ``compileall`` at
    install), which ``PYTHONDONTWRITEBYTECODE`` would otherwise leave to every start."""
    command = [sys.executable, "-m", "geo", "data", "fetch", "territoires", "datasets"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"Récupération des données en échec :\n{done.stderr[-3000:]}")
    compiled = subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "geo", "ui"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if compiled.returncode != 0:
        raise SystemExit(f"Compilation des modules en échec :\n{compiled.stdout[-3000:]}")


def bench_app(repeat: int) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        raise SystemExit("Chromium introuvable (apt-get install chromium).")
    env = dict(os.environ)
    _prepare_data(env)
    runs: dict[str, list[float]] = {"first_start": [], "cold": [], "warm": [], "new_visitor": []}
    national_bytes = rss = None
    with tempfile.TemporaryDirectory(prefix="geo-bench-app-") as folder, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for run in range(max(repeat, 1)):
            # An empty store, filled with the demo projects by the first start: the restart
            # after it finds them there.
            store = f"sqlite:///{Path(folder) / f'projets-{run}.sqlite'}"
            with server({**env, "DATABASE_URL": store}) as (url, _, started):
                visitor = _visitor(browser)
                browser_start = time.perf_counter()
                seconds, _ = visit(visitor, url)
                runs["first_start"].append(round(browser_start - started + seconds, 3))
                visitor.close()
            with server({**env, "DATABASE_URL": store}) as (url, process, started):
                visitor = _visitor(browser)
                browser_start = time.perf_counter()
                seconds, _ = visit(visitor, url)
                runs["cold"].append(round(browser_start - started + seconds, 3))
                seconds, received = visit(visitor, url, count_bytes=True)
                runs["warm"].append(round(seconds, 3))
                national_bytes = received
                visitor.close()
                newcomer = _visitor(browser)
                seconds, _ = visit(newcomer, url)
                runs["new_visitor"].append(round(seconds, 3))
                newcomer.close()
                if run == 0:
                    _open_every_view(browser, url)
                    rss = peak_rss_mb(process.pid)
        browser.close()
    reruns = bench_reruns({**env, "DATABASE_URL": f"sqlite:///{Path(tempfile.mkdtemp()) / 'r.db'}"})
    return {
        "cold_map_seconds": statistics.median(runs["cold"]),
        "warm_map_seconds": statistics.median(runs["warm"]),
        "server_rss_mb": rss,
        "national_view_bytes": national_bytes,
        "first_start_map_seconds": statistics.median(runs["first_start"]),
        "new_visitor_map_seconds": statistics.median(runs["new_visitor"]),
        "cold_map_runs": runs["cold"],
        "warm_map_runs": runs["warm"],
        "first_start_map_runs": runs["first_start"],
        "new_visitor_map_runs": runs["new_visitor"],
        **reruns,
        "views_opened_for_rss": list(VIEWS),
        "budget": {
            "cold_map_seconds": 3.0,
            "warm_map_seconds": 1.5,
            "server_rss_mb": 1000,
            "national_view_bytes": 1_500_000,
        },  # fmt: skip
    }


def main(argv: list[str] | None = None) -> int:
    from geo.cli import french
    from geo.cli.console import JSON_HELP, print_result

    french.install()
    parser = argparse.ArgumentParser(description="L'application mesurée dans Chromium")
    parser.add_argument("--repeat", type=int, default=3, help="répétitions")
    parser.add_argument("--points", type=int, default=None, help="(sans effet ici)")
    parser.add_argument("--json", action="store_true", help=JSON_HELP)
    args = parser.parse_args(argv)
    result = bench_app(args.repeat)
    print_result(result, as_json=args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
