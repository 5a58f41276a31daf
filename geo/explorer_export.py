"""The Explorer's selection as a file (CSV, GeoJSON, GeoPackage), without Streamlit: through the
project exporter (:mod:`geo.projects_export`) when it is installed, else from the store frame.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from geo import explorer
from geo.store import ProjectStore
from geo.territories import Territories


def export_file(
    name: str,
    ids: tuple[int, ...],
    store: ProjectStore,
    criteria: Any,
    territories: Territories | None = None,
) -> bytes:
    """The selection in one format, through the project exporter when it is installed."""
    wanted = set(ids)
    items = [p for p in store.query(criteria, limit=2**31 - 1).items if p.id in wanted]
    items.sort(key=lambda p: p.id or 0)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"projets.{name}"
        try:
            from geo import projects_export
        except ImportError:
            fallback_export(path, name, store, ids, criteria)
        else:
            writer = {"csv": projects_export.write_csv, "geojson": projects_export.write_geojson,
                      "gpkg": projects_export.write_gpkg}[name]  # fmt: skip
            writer(path, items, projects_export.commune_names(items, territories))
        return path.read_bytes()


def fallback_export(path: Path, name: str, store: ProjectStore, ids: Any, criteria: Any) -> None:
    frame = store.all_frame(criteria)
    frame = frame[frame["id"].isin(list(ids))]
    flat = frame.copy()
    for column in ("themes", "categories", "commons"):
        flat[column] = flat[column].map(lambda v: ";".join(v or []))
    flat["carriers"] = flat["carriers"].map(explorer.carriers_text)
    flat = flat.drop(columns=["area"], errors="ignore")
    if name == "csv":
        flat.drop(columns="geometry").to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    elif name == "geojson":
        path.write_text(flat.to_json(), encoding="utf-8")
    else:
        for column in ("created_at", "updated_at", "last_confirmed_at"):
            flat[column] = flat[column].astype(str)
        flat.to_file(path, layer="projets", driver="GPKG")
