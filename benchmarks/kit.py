"""``python -m geo bench kit``: the offline kit of Grenoble-Alpes-Métropole (EPCI 200040715),
built and then used with no network, measured.

With the data of the bench's mirror fetched and prepared first (as ``data fetch`` leaves
them) and the demo projects in a scratch store, measures ``--repeat`` times each:

- ``build_seconds``: ``kit build epci:200040715`` as a whole (clip, fetch into the kit,
  prepare its reference, copy projects, tours and Leaflet's files), in this process;
- ``kit_mb``: the kit folder's size; what it holds (communes, projects, rows per dataset);
- ``cold_map_seconds``: ``GEO_OFFLINE=1 GEO_DATA_DIR=KIT streamlit run app.py`` started →
  the Explorer of the Métropole usable in Chromium (Leaflet drawn, its projects on it), the
  server's process with no mirror and its proxies on a closed port.

Figures are medians; every run is in ``*_runs``. Needs Playwright and Debian's Chromium.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TERRITORY = "epci:200040715"
PROXY = "http://127.0.0.1:9"


def _app_bench():  # noqa: ANN202 - the sibling script, loaded by path (``app`` is the app)
    spec = importlib.util.spec_from_file_location("bench_app", ROOT / "benchmarks" / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _visit(app: object, context: object, origin: str, path: str) -> float:
    """Seconds from opening ``origin + path`` to the usable map; nothing but the app's own
    server is reached."""
    page = context.new_page()
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(origin) else route.abort(),
    )
    start = time.perf_counter()
    page.goto(origin + path, wait_until="commit", timeout=app.TIMEOUT_MS)
    app._usable_map(page)
    seconds = time.perf_counter() - start
    page.close()
    return seconds


def bench_kit(repeat: int) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    from geo.kit import build_kit
    from geo.projects.demo import ensure_demo_projects
    from geo.settings import get_settings
    from geo.store import ProjectStore
    from geo.store.identity import Operator
    from geo.territory import load_territories
    from geo.territory.loading import forget_loaded

    app = _app_bench()
    env = dict(os.environ)
    app._prepare_data(env)
    builds: list[float] = []
    colds: list[float] = []
    with tempfile.TemporaryDirectory(prefix="geo-bench-kit-") as folder:
        settings = replace(
            get_settings(), database_url=f"sqlite:///{Path(folder) / 'p.sqlite'}", demo=True
        )
        store = ProjectStore(settings=settings, locate=load_territories(settings))
        ensure_demo_projects(store, load_territories(settings), settings)
        store.close()
        out = Path(folder) / "kit"
        report = None
        for _ in range(max(repeat, 1)):
            started = time.perf_counter()
            report = build_kit(TERRITORY, out, settings=settings, operator=Operator("bench"))
            builds.append(round(time.perf_counter() - started, 3))
            forget_loaded()
        offline = {k: v for k, v in env.items() if k not in ("GEO_DATA_MIRROR", "DATABASE_URL")}
        offline |= {
            "GEO_OFFLINE": "1",
            "GEO_DATA_DIR": str(out),
            "HTTP_PROXY": PROXY,
            "HTTPS_PROXY": PROXY,
            "http_proxy": PROXY,
            "https_proxy": PROXY,
        }
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=app.shutil.which("chromium") or "/usr/bin/chromium",
                args=app.CHROMIUM_ARGS,
            )
            for _ in range(max(repeat, 1)):
                with app.server(offline) as (url, _, started):
                    visitor = app._visitor(browser)
                    browser_start = time.perf_counter()
                    seconds = _visit(app, visitor, url, "/?territoire=epci%3A200040715")
                    colds.append(round(browser_start - started + seconds, 3))
                    visitor.close()
            browser.close()
    assert report is not None
    return {
        "territory": TERRITORY,
        "kit_mb": round(report.size_bytes / 1e6, 1),
        "build_seconds": statistics.median(builds),
        "cold_map_seconds": statistics.median(colds),
        "build_runs": builds,
        "cold_map_runs": colds,
        "communes": report.communes,
        "neighbours": len(report.neighbours),
        "projects": report.projects,
        "dataset_rows": report.datasets,
    }


def main(argv: list[str] | None = None) -> int:
    from geo.cli import french
    from geo.cli.console import JSON_HELP, print_result

    french.install()
    parser = argparse.ArgumentParser(description="Le kit hors ligne de la Métropole mesuré")
    parser.add_argument("--repeat", type=int, default=3, help="répétitions")
    parser.add_argument("--points", type=int, default=None, help="(sans effet ici)")
    parser.add_argument("--json", action="store_true", help=JSON_HELP)
    args = parser.parse_args(argv)
    result = bench_kit(args.repeat)
    print_result(result, as_json=args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
