"""``python -m geo bench soak``: the server's memory over a long mixed use, in a real Chromium.

Starts ``streamlit run app.py`` (data fetched and prepared first, as the app bench does) on a
store holding the demo projects, a published tour of the Métropole with an open workshop,
and drives every page for ``--minutes`` minutes, ``--contexts`` visitors at once (browser
contexts with their own cookies): the Explorer's views (overlays, indicators at each level,
a filter change), Territoires, the portraits of a commune, an EPCI and a département,
Communs, Acteurs, Proposer, Parcours, the presentation of the tour and the room's form,
Modération. Each visit is a new page (a new Streamlit session, as a reload is), closed at the
visitor's next one.

Reports ``{"peak_rss_mb", "rss_mb_end", "views", "errors"}``: the server's peak resident
memory (``VmHWM``) and its resident memory at the end, after a minute without visitors (what
a quiet server keeps), the visits made and those that failed (a Python exception shown on the
page, a page that never finished its run, the server gone); ``error_samples`` says which, and
``rss_mb_samples`` the resident memory every minute. Budget: ≤ 1,000 MB peak, 0 errors.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
METRO = "epci:200040715"
#: Visits in the order the visitors take them, round after round; ``{departement}``, ``{epci}``,
#: ``{commune}`` and ``{region}`` are drawn at each visit among every loaded territory of
#: the level (seeded), so that an hour fills the caches kept per territory as an hour of
#: visitors from everywhere would.
VIEWS = (
    "/",
    "/?couches=irve,covoiturage,stationnement_velo",
    "/?indicateur=irve:points_de_charge:departement",
    "/?territoire=departement:{departement}&indicateur=projets:commune",
    "/?territoire=epci:{epci}&indicateur=covoiturage:places:commune",
    "/?territoire=region:{region}&couches=irve",
    "/?indicateur=amenagements_cyclables:longueur_m:departement",
    "/carte",
    "/carte?territoire=commune:{commune}",
    "/carte?territoire=departement:{departement}",
    "/portrait?territoire=commune:{commune}",
    "/portrait?territoire=epci:{epci}",
    "/portrait?territoire=departement:{departement}",
    "/communs",
    "/acteurs",
    "/proposer",
    "/parcours",
    "{presentation}",
    "{atelier}",
    "{integrer}",
    "/integrer?territoire=epci:{epci}",
    "/moderation",
)
LEVELS = ("commune", "epci", "departement", "region")
EXCEPTION = '[data-testid="stException"]'
TIMEOUT_MS = 120_000
#: Quiet time before the last reading: Streamlit forgets a closed session's state at once, but
#: what the caches hold stays; what is still resident then is what a quiet server keeps.
QUIET_SECONDS = 60


def _app_bench():  # noqa: ANN202 - the sibling script, loaded by path (``app`` is the app)
    spec = importlib.util.spec_from_file_location("bench_app", ROOT / "benchmarks" / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rss_mb(pid: int) -> float:
    """The process's resident memory now (``VmRSS``), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def _workshop(store_url: str) -> tuple[str, str, str]:
    """A published two-stop tour of the Métropole and an open workshop on it, in the store the
    server will open: the presentation's, the room's and the tour's embed view's addresses."""
    from geo.settings import get_settings
    from geo.store import ProjectStore
    from geo.territory import TerritoryRef, load_territories
    from geo.workshop import embed

    settings = get_settings()
    store = ProjectStore(store_url, settings=settings, locate=load_territories(settings))
    try:
        tour_id, key = store.tours.create("Atelier PCAET (mesure)", territory=METRO)
        store.tours.add_stop(tour_id, kind="explorer", title="Les projets",
                             params={"territoire": METRO}, token=key)  # fmt: skip
        store.tours.add_stop(tour_id, kind="portrait", title="Grenoble en chiffres",
                             params={"territoire": "commune:38185"}, token=key)  # fmt: skip
        store.tours.set_status(tour_id, "publie", token=key)
        session = store.workshops.open(
            tour_id, territory=TerritoryRef("epci", "200040715"), per_minute=30, cap=1000,
            token=key,
        )  # fmt: skip
    finally:
        store.close()
    presentation = f"/presentation?parcours={tour_id}&atelier={session.code}"
    return presentation, f"/atelier?code={session.code}", embed.tour_path(tour_id)


def _territory_codes() -> dict[str, list[str]]:
    """Every loaded territory's code, per level (the reference of the bench's mirror)."""
    from geo.settings import get_settings
    from geo.territory import load_territories

    reference = load_territories(get_settings())
    return {level: sorted(map(str, reference.outline_level_codes(level))) for level in LEVELS}


def _visit(app: object, page: object, url: str) -> str | None:
    """One visit in ``page``: ``None`` when the page finished its run with no exception
    shown, else why. The page stays open (its session alive) until the visitor's next visit."""
    try:
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        page.wait_for_selector(app.APP_IDLE, timeout=TIMEOUT_MS)
        if "/?" in url or url.endswith("/"):
            # The Explorer: one filter change, a rerun of a live session.
            text = page.get_by_role("textbox", name="Rechercher")
            if text.count():
                text.first.fill("énergie")
                text.first.press("Enter")
                page.wait_for_selector(app.APP_IDLE, timeout=TIMEOUT_MS)
        if page.locator(EXCEPTION).count():
            return f"{url} : {page.locator(EXCEPTION).first.inner_text()[:300]}"
        return None
    except Exception as error:  # noqa: BLE001 - a failed visit is counted and described
        return f"{url} : {type(error).__name__}: {str(error).splitlines()[0][:300]}"


def bench_soak(minutes: float, contexts: int) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    app = _app_bench()
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        raise SystemExit("Chromium introuvable (apt-get install chromium).")
    env = dict(os.environ)
    app._prepare_data(env)
    views = errors = 0
    samples: list[str] = []
    rss_samples: list[float] = []
    with tempfile.TemporaryDirectory(prefix="geo-bench-soak-") as folder, sync_playwright() as pw:
        store_url = f"sqlite:///{Path(folder) / 'projets.sqlite'}"
        presentation, atelier, integrer = _workshop(store_url)
        codes = _territory_codes()
        draw = random.Random(0)

        def address(view: str) -> str:
            picked = {level: draw.choice(codes[level]) for level in LEVELS}
            return view.format(
                presentation=presentation, atelier=atelier, integrer=integrer, **picked
            )

        browser = pw.chromium.launch(executable_path=chromium, args=app.CHROMIUM_ARGS)
        with app.server({**env, "DATABASE_URL": store_url}) as (url, process, _):
            visitors = [app._visitor(browser) for _ in range(max(contexts, 1))]
            # Each visitor's last page stays open while the others visit: ``contexts``
            # sessions live at once, as visitors reading a page do.
            open_pages: dict[int, object] = {}
            start = time.perf_counter()
            next_sample = start
            # Each visitor takes the views from its own place in the list: at any time the
            # server holds sessions of different pages.
            rounds = [itertools.islice(itertools.cycle(VIEWS), i * 7, None) for i in
                      range(len(visitors))]  # fmt: skip
            while time.perf_counter() - start < minutes * 60:
                for number, (visitor, round_) in enumerate(zip(visitors, rounds, strict=True)):
                    if number in open_pages:
                        open_pages.pop(number).close()
                    open_pages[number] = visitor.new_page()
                    failure = _visit(app, open_pages[number], url + address(next(round_)))
                    views += 1
                    if failure:
                        errors += 1
                        if len(samples) < 20:
                            samples.append(failure)
                    if process.poll() is not None:
                        raise SystemExit(f"Le serveur s'est arrêté après {views} visites.")
                if time.perf_counter() >= next_sample:
                    rss_samples.append(rss_mb(process.pid))
                    next_sample += 60
            for visitor in visitors:
                visitor.close()
            time.sleep(QUIET_SECONDS)
            peak, end = app.peak_rss_mb(process.pid), rss_mb(process.pid)
        browser.close()
    return {
        "peak_rss_mb": peak,
        "rss_mb_end": end,
        "views": views,
        "errors": errors,
        "minutes": minutes,
        "contexts": contexts,
        "error_samples": samples,
        "rss_mb_samples": rss_samples,
        "views_driven": list(VIEWS),
        "budget": {"peak_rss_mb": 1000, "errors": 0},
    }


def main(argv: list[str] | None = None) -> int:
    from geo.cli import french
    from geo.cli.console import JSON_HELP, print_result

    french.install()
    parser = argparse.ArgumentParser(description="La mémoire du serveur sur un long usage mêlé")
    parser.add_argument("--minutes", type=float, default=60.0, help="durée (minutes)")
    parser.add_argument("--contexts", type=int, default=3, help="visiteurs simultanés")
    parser.add_argument("--repeat", type=int, default=1, help="(sans effet ici)")
    parser.add_argument("--points", type=int, default=None, help="(sans effet ici)")
    parser.add_argument("--json", action="store_true", help=JSON_HELP)
    args = parser.parse_args(argv)
    result = bench_soak(args.minutes, args.contexts)
    print_result(result, as_json=args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
