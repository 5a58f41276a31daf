"""``python -m geo bench projects``: the project store at national scale, in a scratch SQLite file.

``projects`` synthetic projects spread like real points over the loaded communes are added in
bulk; ``filter_ms`` is the best time of one page plus the total count for territory (the
département with most projects) + theme + text; ``import_10k_seconds`` times the real import
(:func:`geo.projects.importer.import_projects`) of a 10,000-row CSV file into a fresh store:
reading, validation, placing the rows that only name their commune (one in twenty), territory
lookup, insert and audit, in one transaction.
"""

from __future__ import annotations

import csv
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from geo.bench.common import best_of, sample_points
from geo.projects.exchange import join_list
from geo.projects.importer import import_projects
from geo.store.identity import Operator
from geo.store.project_store import ProjectFilter, ProjectStore
from geo.territory import Territories, TerritoryRef

_WORDS = {
    "energie": (
        ("solaire", ["Toits solaires", "Centrale solaire", "Ombrières photovoltaïques"]),
        ("eolien", ["Parc éolien citoyen", "Éolienne partagée"]),
        ("reseau_de_chaleur", ["Réseau de chaleur bois", "Chaufferie collective"]),
        ("methanisation", ["Méthaniseur agricole", "Unité de biogaz"]),
        ("renovation_sobriete", ["Rénovation des écoles", "Défi sobriété"]),
    ),
    "mobilite": (
        ("covoiturage", ["Ligne de covoiturage", "Aire de covoiturage"]),
        ("autopartage", ["Autopartage villageois", "Voitures partagées"]),
        ("velo", ["Vélos cargo", "Atelier vélo solidaire"]),
        ("recharge_electrique", ["Bornes de recharge", "Recharge partagée"]),
        ("transport_a_la_demande", ["Navette à la demande", "Transport solidaire"]),
    ),
}
_PLACES = [
    "du Vercors",
    "de la vallée",
    "des Coteaux",
    "du Grésivaudan",
    "de l'Étang",
    "du Plateau",
]
_CARRIERS = [
    ("Énergie Partagée locale", "cooperative"),
    ("Mairie", "collectivite"),
    ("Association des habitants", "association"),
    ("Collectif citoyen", "collectif_citoyen"),
]


def synthetic_rows(coords: np.ndarray, *, seed: int = 0) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    rows = []
    themes = list(_WORDS)
    for i, (lat, lon) in enumerate(coords):
        theme = themes[rng.integers(len(themes))]
        category, titles = _WORDS[theme][rng.integers(len(_WORDS[theme]))]
        carrier = _CARRIERS[rng.integers(len(_CARRIERS))]
        rows.append(
            {
                "title": f"{titles[rng.integers(len(titles))]} {_PLACES[rng.integers(6)]} n°{i}",
                "summary": "Projet local porté avec les habitants et la commune.",
                "themes": [theme],
                "categories": [category],
                "stage": ["idee", "en_projet", "en_service", "termine"][rng.integers(4)],
                "carriers": [{"name": carrier[0], "type": carrier[1]}],
                "lat": float(lat),
                "lon": float(lon),
                "power_kwc": float(rng.integers(3, 500)) if theme == "energie" else None,
                "source": "bench",
                "external_id": f"bench-{i}",
            }
        )
    return rows


def bench_projects(
    territories: Territories, *, count: int, repeat: int, import_rows: int = 10_000
) -> dict[str, object]:
    coords = sample_points(territories, count + import_rows)
    with tempfile.TemporaryDirectory(prefix="geo-bench-") as folder:
        store = ProjectStore(f"sqlite:///{Path(folder) / 'bench.sqlite'}", locate=territories)
        start = time.perf_counter()
        results = store.add_many(
            synthetic_rows(coords[:count]), actor=Operator("bench"), status="publie"
        )
        load_seconds = time.perf_counter() - start
        assert all(r.action == "created" for r in results)
        frame = store.all_frame()
        departement = str(frame["code_departement"].value_counts().index[0])
        criteria = ProjectFilter(
            territory=TerritoryRef("departement", departement),
            themes=("energie",),
            text="solaire",
            statuses=("publie",),
        )
        filter_seconds, page = best_of(max(repeat, 5), lambda: store.query(criteria, limit=50))
        text_seconds, _ = best_of(repeat, lambda: store.query(ProjectFilter(text="velos cargo")))
        near_seconds, _ = best_of(
            repeat, lambda: store.query(ProjectFilter(near=(45.19, 5.72, 20)))
        )
        store.close()

        fresh = ProjectStore(f"sqlite:///{Path(folder) / 'import.sqlite'}", locate=territories)
        path = write_import_csv(
            Path(folder) / "import.csv", synthetic_rows(coords[count:], seed=1), territories
        )
        start = time.perf_counter()
        report = import_projects(path, fresh, territories=territories, operator=Operator("bench"))
        import_seconds = time.perf_counter() - start
        fresh.close()
    return {
        "projects": count,
        "filter_ms": round(filter_seconds * 1000, 2),
        "import_10k_seconds": round(import_seconds, 2),
        "filter": f"departement {departement} + energie + 'solaire': {page.total} matches",
        "text_only_ms": round(text_seconds * 1000, 2),
        "near_20km_ms": round(near_seconds * 1000, 2),
        "bulk_add_seconds": round(load_seconds, 1),
        "import_report": {
            k: v for k, v in report.to_dict().items() if k not in ("rejections", "ignored_columns")
        },
    }


def write_import_csv(path: Path, rows: list[dict[str, Any]], territories: Territories) -> Path:
    """The rows as an exchange CSV; one in twenty gives its commune name instead of lat/lon."""
    located = territories.locate([r["lat"] for r in rows], [r["lon"] for r in rows])
    names = territories.names("commune", located["code_commune"])
    columns = ["external_id", "source", "title", "summary", "themes", "categories", "stage",
               "carriers", "carrier_type", "lat", "lon", "commune", "power_kwc"]  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, extrasaction="ignore")
        writer.writeheader()
        for i, (row, name) in enumerate(zip(rows, names, strict=True)):
            flat = row | {
                "themes": join_list(row["themes"]),
                "categories": join_list(row["categories"]),
                "carriers": row["carriers"][0]["name"],
                "carrier_type": row["carriers"][0]["type"],
            }
            if i % 20 == 0 and name is not None:
                flat |= {"lat": "", "lon": "", "commune": name}
            writer.writerow(flat)
    return path
