"""``python -m geo bench portrait``: one territory's portrait once the reference and the
datasets are cached, at the scale of the mirror (all of France by default).

What is cached before timing, as the app caches it: the territory reference (prepared), every
dataset loaded, and the indicator tables of every dataset at every level plus the national
figures (:meth:`PortraitContext.warm`, timed apart as ``warm_seconds``). What is timed: the
whole :func:`build_portrait` of a commune and of a région (figures, comparisons with parent,
France, neighbours and population class, area from the outline, projects here and the
neighbours' projects from a store holding the demo projects), best of ``repeat``; and the
sheet of the région written as HTML then printed as PDF by the system Chromium.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from geo.bench.common import best_of
from geo.portrait import build_portrait
from geo.portrait.loading import open_context
from geo.portrait.pdf import sheet_pdf
from geo.portrait.sheet import sheet_html
from geo.projects.demo import ensure_demo_projects
from geo.settings import get_settings
from geo.store import ProjectStore
from geo.territory import Territories, TerritoryRef

COMMUNE = TerritoryRef("commune", "38185")  # Grenoble
REGION = TerritoryRef("region", "84")  # Auvergne-Rhône-Alpes


def bench_portrait(territories: Territories, *, repeat: int) -> dict[str, object]:
    settings = get_settings()
    start = time.perf_counter()
    context = open_context(territories, settings)
    load_seconds = time.perf_counter() - start
    start = time.perf_counter()
    context.warm()
    warm_seconds = time.perf_counter() - start
    with tempfile.TemporaryDirectory(prefix="bench-portrait-") as folder:
        store = ProjectStore(f"sqlite:///{Path(folder) / 'projets.sqlite'}", locate=territories)
        ensure_demo_projects(store, territories, settings)
        try:
            commune_seconds, commune = best_of(
                repeat, lambda: build_portrait(COMMUNE, context=context, store=store)
            )
            region_seconds, region = best_of(
                repeat, lambda: build_portrait(REGION, context=context, store=store)
            )
            html_seconds, html = best_of(repeat, lambda: sheet_html(region))
            pdf_seconds, pdf = best_of(repeat, lambda: sheet_pdf(html))
        finally:
            store.close()
    return {
        "commune": str(COMMUNE),
        "region": str(REGION),
        "commune_seconds": round(commune_seconds, 3),
        "region_seconds": round(region_seconds, 3),
        "sheet_pdf_seconds": round(html_seconds + pdf_seconds, 3),
        "sheet_html_seconds": round(html_seconds, 3),
        "sheet_html_bytes": len(html.encode("utf-8")),
        "sheet_pdf_bytes": len(pdf),
        "load_datasets_seconds": round(load_seconds, 3),
        "warm_seconds": round(warm_seconds, 3),
        "datasets_loaded": sorted(d for d, f in context.frames.items() if f is not None),
        "indicators": len(region.indicators),
        "commune_neighbours": len(commune.neighbours),
        "region_neighbours": len(region.neighbours),
        "communes_loaded": len(territories.loaded_communes),
    }
