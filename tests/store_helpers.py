"""Helpers shared by the store tests and their worker processes (no pytest import here)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

#: Engines the store tests run on (the ``store_url`` fixture of tests/conftest.py).
ENGINES = ["sqlite", "postgresql"]

#: What only one engine's schema has (tests/store/test_schema_engines.py checks there is
#: nothing else). FTS5 keeps the trigram index of the text search in a virtual table and its
#: shadow tables; PostGIS's columns are generated from lat/lon and area.
SQLITE_ONLY_TABLES = {
    "projects_fts",
    "projects_fts_config",
    "projects_fts_data",
    "projects_fts_docsize",
    "projects_fts_idx",
}
#: PostGIS's columns (generated from lat/lon and area) and the indexes behind geometry and text.
POSTGRESQL_ONLY_COLUMNS = {("projects", "geom"), ("projects", "area_geom")}
POSTGRESQL_ONLY_INDEXES = {
    "ix_projects_geom",
    "ix_projects_geog",
    "ix_projects_area_geom",
    "ix_projects_search_trgm",
}

#: (min_lat, max_lat, min_lon, max_lon) → the four codes a fake engine answers there.
FAKE_TERRITORIES = [
    ((45.10, 45.25, 5.65, 5.80), ("38185", "200040715", "38", "84")),  # Grenoble
    ((45.25, 45.40, 5.80, 6.00), ("38229", "200018166", "38", "84")),  # Grésivaudan
    ((48.80, 48.92, 2.25, 2.42), ("75056", "200054781", "75", "11")),  # Paris
    ((-21.45, -20.85, 55.2, 55.9), ("97411", "249740119", "974", "04")),  # La Réunion
]
COLUMNS = ("code_commune", "code_epci", "code_departement", "code_region")


def fake_locate(lat: Sequence[float], lon: Sequence[float]) -> pd.DataFrame:
    """Stands for Territories.locate: boxes instead of commune outlines, instant."""
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    rows: list[tuple[Any, ...]] = []
    for y, x in zip(lat, lon, strict=True):
        found = (None, None, None, None)
        for (y0, y1, x0, x1), codes in FAKE_TERRITORIES:
            if y0 <= y <= y1 and x0 <= x <= x1:
                found = codes
                break
        rows.append(found)
    return pd.DataFrame(rows, columns=list(COLUMNS), dtype=object)


def project(**changes: Any) -> dict[str, Any]:
    base = {
        "title": "Toits solaires citoyens",
        "summary": "Une coopérative installe des panneaux sur les écoles.",
        "themes": ["energie"],
        "categories": ["solaire"],
        "stage": "en_service",
        "carriers": [{"name": "Énergies Citoyennes Grenobloises", "type": "cooperative"}],
        "lat": 45.1885,
        "lon": 5.7245,
        "contact_email": "contact@exemple.fr",
    }
    return base | changes
