"""A few known projects for the Explorer's app and browser tests (the demo set may be absent
or change): two in Grenoble, one elsewhere in Isère, one in Paris, one in Lyon."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from geo.settings import get_settings
from geo.store import ProjectStore
from geo.store.identity import Operator
from geo.territory import load_territories

SOURCE = "essai-explorer"
OPERATOR = Operator("essai")

PROJECTS: list[dict[str, Any]] = [
    {
        "external_id": "g1",
        "title": "Essai toits solaires de Grenoble",
        "summary": "Panneaux sur les écoles.",
        "description": "**Coopérative** <script>alert(1)</script> [piège](javascript:alert(1))",
        "themes": ["energie"],
        "categories": ["solaire"],
        "stage": "en_service",
        "carriers": [{"name": "Essai Énergie Citoyenne", "type": "cooperative"}],
        "power_kwc": 420,
        "energy_mwh_year": 480.5,
        "citizen_shareholders": 310,
        "lat": 45.1885,
        "lon": 5.7245,
    },
    {
        "external_id": "g2",
        "title": "Essai vélos partagés de Grenoble",
        "summary": "Des vélos en libre service.",
        "themes": ["mobilite"],
        "categories": ["velo"],
        "stage": "en_projet",
        "carriers": [{"name": "Essai Mairie", "type": "collectivite"}],
        "lat": 45.1900,
        "lon": 5.7300,
    },
    {
        "external_id": "i1",
        "title": "Essai covoiturage du Vercors",
        "themes": ["mobilite"],
        "categories": ["covoiturage"],
        "stage": "idee",
        "carriers": [{"name": "Essai Pouce", "type": "collectif_citoyen"}],
        "lat": 45.0700,
        "lon": 5.5500,
    },
    {
        "external_id": "p1",
        "title": "Essai chaleur renouvelable à Paris",
        "themes": ["energie"],
        "categories": ["reseau_de_chaleur"],
        "stage": "en_service",
        "carriers": [{"name": "Essai Régie", "type": "etablissement_public"}],
        "lat": 48.8566,
        "lon": 2.3522,
    },
    {
        "external_id": "l1",
        "title": "Essai bornes de recharge à Lyon",
        "themes": ["mobilite", "energie"],
        "categories": ["recharge_electrique"],
        "stage": "en_service",
        "carriers": [{"name": "Essai Bornes SAS", "type": "entreprise"}],
        "lat": 45.7640,
        "lon": 4.8357,
    },
]


def seed(store: ProjectStore) -> dict[str, int]:
    """Add (or keep) the test projects, published; ``{external_id: id}``."""
    rows = [{**row, "source": SOURCE} for row in PROJECTS]
    results = store.add_many(rows, actor=OPERATOR, status="publie", match_existing=True)
    ids = {}
    for row, result in zip(rows, results, strict=True):
        assert result.action != "rejected", result.errors
        assert result.id is not None
        ids[row["external_id"]] = result.id
    return ids


@contextmanager
def app_store(folder: Path, rows: list[dict[str, Any]] | None = None) -> Iterator[dict[str, int]]:
    """A store of its own for an app test (``DATABASE_URL``, offline, no demo projects), holding
    ``rows`` (default: :data:`PROJECTS`) published; ``{external_id: id}`` while it is set."""
    url = f"sqlite:///{folder / 'projets.sqlite'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        patch.setenv("GEO_OFFLINE", "1")
        patch.setenv("GEO_DEMO", "0")
        store = ProjectStore(url, locate=load_territories(get_settings()))
        if rows is None:
            ids = seed(store)
        else:
            results = store.add_many(rows, actor=OPERATOR, status="publie")
            ids = {row["external_id"]: result.id for row, result in zip(rows, results, strict=True)}
        store.close()
        yield ids
