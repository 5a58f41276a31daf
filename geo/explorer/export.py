"""The Explorer's selection as a file (CSV, GeoJSON, GeoPackage, XLSX), without Streamlit,
through the project exporter (:mod:`geo.projects.exporter`): the same public fields as
``projects export``. The XLSX (« Tableur ») is the one for a spreadsheet set to French, the CSV
(« CSV d'échange ») the one to import back or to give to other tools.
"""

from __future__ import annotations

from geo.projects.exporter import commune_names, export_bytes
from geo.store import ProjectFilter, ProjectStore
from geo.territory import Territories


def export_file(
    name: str,
    ids: tuple[int, ...],
    store: ProjectStore,
    criteria: ProjectFilter,
    territories: Territories | None = None,
) -> bytes:
    """The selection in one format (``csv``, ``geojson``, ``gpkg``, ``xlsx``), as file bytes
    built in memory: a full disk on the server cannot break a download."""
    wanted = set(ids)
    items = [p for p in store.query(criteria, limit=2**31 - 1).items if p.id in wanted]
    items.sort(key=lambda p: p.id or 0)
    return export_bytes(name, items, commune_names(items, territories))
