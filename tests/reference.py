"""Paths into the real open-data mirror and the territory reference built from it, once.

Plain helpers rather than fixtures so that any test module can import them
(``from reference import territories``). The mirror lives beside the repository
(``../shared/opendata``) or where ``GEO_DATA_MIRROR`` points; when it is missing the tests
that need it are skipped with the reason, except under CI where they fail.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import pytest

from geo.territory import Territories
from geo.territory.loading import from_files

#: The repository root (``tests/`` is beside ``geo/``).
ROOT = Path(__file__).resolve().parents[1]
MIRROR = Path(os.environ.get("GEO_DATA_MIRROR") or ROOT.parent / "shared" / "opendata")
OUTLINES = MIRROR / "object.data.gouv.fr" / "contours-administratifs" / "2025" / "geojson"
COG = MIRROR / "unpkg.com" / "@etalab" / "decoupage-administratif@6.0.0" / "data"

COMMUNE_OUTLINES = OUTLINES / "communes-100m.geojson"
EPCI_OUTLINES = OUTLINES / "epci-100m.geojson"
DEPARTEMENT_OUTLINES = OUTLINES / "departements-100m.geojson"
REGION_OUTLINES = OUTLINES / "regions-100m.geojson"
COG_FILES = {
    "cog_communes": COG / "communes.json",
    "cog_epci": COG / "epci.json",
    "cog_departements": COG / "departements.json",
    "cog_regions": COG / "regions.json",
}

#: Points whose answers are checked by hand against the COG (lat, lon).
GRENOBLE = (45.1885, 5.7245)
PARIS = (48.8566, 2.3522)
MEDITERRANEAN = (43.0, 5.0)
LYON = (45.7640, 4.8357)  # Lyon is in the COG but its outline is not in the mirror subset


def require_mirror() -> Path:
    """The mirror folder, or skip (fail under CI) naming the missing file."""
    needed = [COMMUNE_OUTLINES, EPCI_OUTLINES, DEPARTEMENT_OUTLINES, REGION_OUTLINES]
    missing = [path for path in [*needed, *COG_FILES.values()] if not path.is_file()]
    if missing:
        message = f"open-data mirror incomplete or absent (set GEO_DATA_MIRROR): {missing[0]}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return MIRROR


@cache
def _territories() -> Territories:
    return from_files(
        commune_outlines=COMMUNE_OUTLINES,
        epci_outlines=EPCI_OUTLINES,
        departement_outlines=DEPARTEMENT_OUTLINES,
        region_outlines=REGION_OUTLINES,
        **COG_FILES,
    )


def territories() -> Territories:
    """The reference built from the mirror files, shared by every test of the session."""
    require_mirror()
    return _territories()


@cache
def cog_rows(name: str) -> list[dict]:
    """Raw rows of one COG file (``communes``, ``epci``, ``departements``, ``regions``)."""
    require_mirror()
    with (COG / f"{name}.json").open(encoding="utf-8") as handle:
        return json.load(handle)
