"""``python -m geo bench explorer``: what the Explorer map costs with the national IRVE overlay.

Ours (grid cells at the national view, :mod:`geo.mapping.overlays`) against a plain folium
``FastMarkerCluster`` of every point, side by side on the same generated national-size file:

- bytes the browser receives for the national view: the strings ``st_folium`` sends (map
  script, header, HTML and the overlay's feature group, built with streamlit-folium's own
  functions), UTF-8; the vendored Leaflet files the page loads once are reported apart;
- server time of one rerun after a filter change: filter the frame, prepare the overlay,
  build the map and render those strings (the outlines GeoJSON is cached by the page, as
  ``pages/carte.py`` does, so it is built outside the timing).

It lives here, beside the Streamlit code, because it calls streamlit-folium's own (private)
functions; ``python -m geo bench explorer`` runs it in a child process.

Run: ``python benchmarks/explorer.py [--points N] [--repeat R] [--json]``.
"""

from __future__ import annotations

import argparse
import importlib
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import folium
import folium.plugins
import numpy as np
import pandas as pd

from geo.bench.common import best_of
from geo.cli import french
from geo.cli.console import JSON_HELP, print_result
from geo.datasets import CATALOGUE
from geo.mapping import base as maps
from geo.mapping import overlays
from geo.mapping.assets import PACKAGES, vendor_url
from geo.territory import Territories, load_territories

BUDGET_BYTES = 1_500_000
BUDGET_RERUN_SECONDS = 0.3
#: The filter changed between the reruns: fast chargers only.
FILTER_MIN_KW = 50.0
NATIONAL_VIEW = overlays.OverlayView(zoom=6)
#: Rows generated: ~8 % are planted faults or duplicates, so ≥ 150,000 points stay on the map.
EXPLORER_ROWS = 165_000

#: Central Paris at zoom 14 (about 1,000 × 600 px): the densest points-mode view.
PARIS_VIEW = overlays.OverlayView(zoom=14, bounds=(48.840, 2.300, 48.875, 2.400))


def _walk(element: Any) -> Iterable[Any]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def component_payload(m: folium.Map, groups: Iterable[folium.FeatureGroup] = ()) -> dict[str, Any]:
    """The strings and links ``st_folium(m, feature_group_to_add=groups)`` sends, built the
    way it builds them (it renders the figure, then the map, then each part)."""
    from streamlit_folium import (
        _get_feature_group_string,
        _get_header,
        _get_html,
        _get_map_string,
    )

    m.get_root().render()
    m.render()
    html, header = _get_html(m), _get_header(m)
    script = _get_map_string(m)
    feature_groups = "".join(
        _get_feature_group_string(group, map=m, idx=index) for index, group in enumerate(groups)
    )
    js, css = [], []
    for element in _walk(m):
        js += [url for _, url in getattr(element, "default_js", [])]
        css += [url for _, url in getattr(element, "default_css", [])]
    return {
        "script": script,
        "header": header,
        "html": html,
        "feature_group": feature_groups,
        "js_links": list(dict.fromkeys(js)),
        "css_links": list(dict.fromkeys(css)),
    }


def payload_bytes(payload: dict[str, Any]) -> int:
    parts = ("script", "header", "html", "feature_group")
    return sum(len(payload[part].encode("utf-8")) for part in parts)


def vendor_bytes(payload: dict[str, Any]) -> int | None:
    """Size of the vendored files the page links to (loaded once, then cached by the browser);
    None when a link is not one of ours (a CDN)."""
    total = 0
    for url in [*payload["js_links"], *payload["css_links"]]:
        for package in PACKAGES:
            prefix = vendor_url(package, "")
            if url.startswith(prefix):
                base = Path(importlib.import_module(package.module).BASE_DIR)
                total += (base / url.removeprefix(prefix)).stat().st_size
                break
        else:
            return None
    return total


def bench_explorer(
    territories: Territories, *, points: int = EXPLORER_ROWS, repeat: int = 3, seed: int = 0
) -> dict[str, Any]:
    """Generate and load ``points`` IRVE rows (not timed), then measure ours and the baseline."""
    from geo.bench.datasets import generate_irve
    from geo.datasets import load_dataset

    with tempfile.TemporaryDirectory(prefix="geo-bench-explorer-") as folder:
        path = Path(folder) / "irve-national.csv"
        generate_irve(path, points, seed=seed)
        frame = load_dataset(CATALOGUE["irve"], path, territories=territories, schema=False).frame
    # Cached by the page (st.cache_resource), as pages/carte.py does.
    context = maps.overview_geojson(territories.display_outlines("departement"))
    power = pd.to_numeric(frame["puissance_kw"], errors="coerce").to_numpy()

    def page_map() -> folium.Map:
        m = maps.territory_map(outlines=None, context=context, offline=False)
        return overlays.track_view(m)

    def ours(mask: np.ndarray | None) -> dict[str, Any]:
        shown = frame if mask is None else frame[mask]
        data = overlays.prepare_overlay(shown, CATALOGUE["irve"])
        group = overlays.overlay_layer(data, NATIONAL_VIEW)
        return component_payload(page_map(), [group])

    def baseline(mask: np.ndarray | None) -> dict[str, Any]:
        shown = frame if mask is None else frame[mask]
        coordinates = np.column_stack([shown.geometry.y, shown.geometry.x]).tolist()
        m = folium.Map(location=[46.6, 2.4], zoom_start=6)
        folium.plugins.FastMarkerCluster(coordinates).add_to(m)
        return component_payload(m)

    fast = power >= FILTER_MIN_KW
    national = ours(None)
    base_national = baseline(None)
    full = overlays.prepare_overlay(frame, CATALOGUE["irve"])
    cells = overlays.aggregate_cells(full, NATIONAL_VIEW.zoom + overlays.CELL_SHIFT)
    paris_group = overlays.overlay_layer(full, PARIS_VIEW)
    paris = component_payload(page_map(), [paris_group])
    rerun, _ = best_of(repeat, lambda: ours(fast))
    # The page may also keep the prepared overlay of the whole file and filter its arrays.
    prepared_rerun, _ = best_of(
        repeat,
        lambda: component_payload(
            page_map(), [overlays.overlay_layer(full.take(fast), NATIONAL_VIEW)]
        ),
    )
    baseline_rerun, _ = best_of(repeat, lambda: baseline(fast))
    ours_bytes = payload_bytes(national)
    return {
        "points": len(frame),
        "national_view_bytes": ours_bytes,
        "rerun_seconds": round(rerun, 4),
        "baseline_bytes": payload_bytes(base_national),
        "baseline_rerun_seconds": round(baseline_rerun, 4),
        "rows_generated": points,
        "vendor_bytes_loaded_once": vendor_bytes(national),
        "overlay_bytes": len(national["feature_group"].encode("utf-8")),
        "outlines_bytes": maps.geojson_size(context),
        "national_cells": len(cells),
        "rerun_seconds_prepared_filter": round(prepared_rerun, 4),
        "filter": f"puissance_kw >= {FILTER_MIN_KW:g} ({int(fast.sum())} points)",
        "paris_points_view_bytes": payload_bytes(paris),
        "paris_points_view_mode": overlays.view_key(PARIS_VIEW)[0],
        "baseline_external_links": [
            url
            for url in [*base_national["js_links"], *base_national["css_links"]]
            if url.startswith("http")
        ],
        "budget": {"national_view_bytes": BUDGET_BYTES, "rerun_seconds": BUDGET_RERUN_SECONDS},
        "within_budget": ours_bytes <= BUDGET_BYTES and rerun <= BUDGET_RERUN_SECONDS,
    }


def main(argv: list[str] | None = None) -> int:
    french.install()
    parser = argparse.ArgumentParser(description="Coût de la carte de l'Explorer (IRVE national)")
    parser.add_argument("--points", type=int, default=EXPLORER_ROWS, help="lignes IRVE générées")
    parser.add_argument("--repeat", type=int, default=3, help="répétitions")
    parser.add_argument("--json", action="store_true", help=JSON_HELP)
    args = parser.parse_args(argv)
    result = bench_explorer(load_territories(), points=args.points, repeat=args.repeat)
    print_result(result, as_json=args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
