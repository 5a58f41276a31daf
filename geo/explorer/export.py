"""The Explorer's selection as a file (CSV, GeoJSON, GeoPackage), without Streamlit, through the
project exporter (:mod:`geo.projects.exporter`): the same public fields as ``projects export``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from geo.projects.exporter import commune_names, write_csv, write_geojson, write_gpkg
from geo.store import ProjectFilter, ProjectStore
from geo.territory import Territories


def export_file(
    name: str,
    ids: tuple[int, ...],
    store: ProjectStore,
    criteria: ProjectFilter,
    territories: Territories | None = None,
) -> bytes:
    """The selection in one format (``csv``, ``geojson``, ``gpkg``), as file bytes."""
    wanted = set(ids)
    items = [p for p in store.query(criteria, limit=2**31 - 1).items if p.id in wanted]
    items.sort(key=lambda p: p.id or 0)
    writer = {"csv": write_csv, "geojson": write_geojson, "gpkg": write_gpkg}[name]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"projets.{name}"
        writer(path, items, commune_names(items, territories))
        return path.read_bytes()
