"""``python -m geo bench datasets``: load a generated national-size IRVE file.

The file has the 52 columns of the national consolidated file (schema 2.3.1 consolidation,
header copied from the real file) and rows spread over metropolitan and overseas cities, with
the faults real publishers make in known proportions: coordinates swapped, missing, ``[0,0]``
or abroad; consolidated coordinates missing; powers in W or as text; boolean spellings;
postal codes and lost leading zeros in ``code_insee_commune``; ``dd/mm/yyyy`` and placeholder
dates; newlines inside quoted fields; one row per connector; sites published by two operators.

The load runs in a child process so that its peak memory (``ru_maxrss``) is its own.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo.datasets import CATALOGUE

#: The header of the national consolidated file (copied from the real file, 52 columns).
HEADER = (
    "nom_amenageur,siren_amenageur,contact_amenageur,nom_operateur,contact_operateur,"
    "telephone_operateur,nom_enseigne,id_station_itinerance,id_station_local,nom_station,"
    "implantation_station,adresse_station,code_insee_commune,coordonneesXY,nbre_pdc,"
    "id_pdc_itinerance,id_pdc_local,puissance_nominale,prise_type_ef,prise_type_2,"
    "prise_type_combo_ccs,prise_type_chademo,prise_type_autre,gratuit,paiement_acte,paiement_cb,"
    "paiement_autre,tarification,condition_acces,reservation,horaires,accessibilite_pmr,"
    "restriction_gabarit,station_deux_roues,raccordement,num_pdl,date_mise_en_service,"
    "observations,date_maj,cable_t2_attache,last_modified,datagouv_dataset_id,"
    "datagouv_resource_id,datagouv_organization_or_owner,created_at,consolidated_longitude,"
    "consolidated_latitude,consolidated_code_postal,consolidated_commune,"
    "consolidated_is_lon_lat_correct,consolidated_is_code_insee_verified,"
    "consolidated_is_code_insee_modified"
).split(",")

# (lon, lat, INSEE code, postal code, weight): where charge points are.
_CITIES = (
    (2.3522, 48.8566, "75056", "75011", 12),
    (4.8357, 45.7640, "69123", "69003", 5),
    (5.3698, 43.2965, "13055", "13008", 5),
    (1.4442, 43.6047, "31555", "31000", 4),
    (7.2620, 43.7102, "06088", "06000", 3),
    (-1.5536, 47.2184, "44109", "44000", 4),
    (7.7521, 48.5734, "67482", "67000", 3),
    (3.8767, 43.6108, "34172", "34000", 3),
    (-0.5792, 44.8378, "33063", "33000", 4),
    (3.0573, 50.6292, "59350", "59000", 4),
    (-1.6778, 48.1173, "35238", "35000", 3),
    (5.7245, 45.1885, "38185", "38000", 3),
    (4.0317, 49.2583, "51454", "51100", 2),
    (0.1079, 49.4944, "76351", "76600", 2),
    (5.0415, 47.3220, "21231", "21000", 2),
    (-0.5632, 47.4784, "49007", "49000", 2),
    (3.0870, 45.7772, "63113", "63000", 2),
    (-4.4861, 48.3904, "29019", "29200", 2),
    (0.6848, 47.3941, "37261", "37000", 2),
    (1.2611, 45.8336, "87085", "87000", 2),
    (2.2958, 49.8941, "80021", "80000", 2),
    (6.1757, 49.1193, "57463", "57000", 2),
    (1.0993, 49.4432, "76540", "76000", 2),
    (2.8948, 42.6887, "66136", "66000", 2),
    (9.4500, 42.7000, "2B033", "20200", 1),
    (55.4504, -20.8823, "97411", "97400", 1),
    (-61.5331, 16.2411, "97120", "97110", 1),
    (-61.0588, 14.6161, "97209", "97200", 1),
)
_OPERATORS = ("Izivia", "TotalEnergies", "Electra", "Ionity", "Freshmile", "Shell Recharge")
_POWERS = np.array([7.4, 11.0, 22.0, 22.0, 22.0, 50.0, 150.0, 300.0])
_TRUE = np.array(["true", "true", "true", "TRUE", "True", "1"])
_FALSE = np.array(["false", "false", "false", "FALSE", "False", "0"])


def _booleans(rng: np.random.Generator, n: int, share_true: float) -> np.ndarray:
    values = rng.random(n) < share_true
    return np.where(values, rng.choice(_TRUE, n), rng.choice(_FALSE, n))


def generate_irve(path: Path, rows: int = 150_000, *, seed: int = 0) -> dict[str, int]:
    """Write ``rows`` data rows to ``path``; return what a correct load must find."""
    rng = np.random.default_rng(seed)
    n = rows
    weights = np.array([city[4] for city in _CITIES], dtype=float)
    city = rng.choice(len(_CITIES), size=n, p=weights / weights.sum())
    lon0 = np.array([c[0] for c in _CITIES])[city]
    lat0 = np.array([c[1] for c in _CITIES])[city]
    spread = np.where((np.abs(lon0) > 40) | (lat0 < 30), 0.03, 0.12)  # islands are small
    # Clipped at 3 σ: an unbounded tail would put a few island points at sea.
    lon = np.round(lon0 + np.clip(rng.normal(0, spread), -3 * spread, 3 * spread), 6)
    lat = np.round(lat0 + np.clip(rng.normal(0, spread * 0.7), -2 * spread, 2 * spread), 6)
    station = np.arange(n) // 4
    operator = rng.choice(len(_OPERATORS), size=n)
    operator = np.asarray(_OPERATORS)[operator[station]]
    station_id = pd.Series(station).map(lambda s: f"FRBEN{s:08d}").to_numpy()
    pdc_id = pd.Series(np.arange(n)).map(lambda i: f"FRBENE{i:09d}").to_numpy()
    power = rng.choice(_POWERS, size=n).astype(object)

    # Faults, on disjoint rows so the expected counts are exact.
    fault = rng.choice(
        [
            "none",
            "swapped",
            "zero",
            "empty",
            "unreadable",
            "abroad",
            "connector",
            "other_operator",
        ],
        size=n,
        p=[0.90, 0.02, 0.003, 0.003, 0.002, 0.002, 0.05, 0.02],
    )
    fault[:2] = "none"  # duplicates copy an earlier row: the first ones are originals
    lon_text = np.char.mod("%.6f", lon)
    lat_text = np.char.mod("%.6f", lat)
    xy = np.char.add(np.char.add(np.char.add("[", lon_text), ","), np.char.add(lat_text, "]"))
    spaced = rng.random(n) < 0.3
    xy = np.where(spaced, np.char.replace(xy, ",", ", "), xy)
    xy = np.where(
        fault == "swapped",
        np.char.add(np.char.add(np.char.add("[", lat_text), ", "), np.char.add(lon_text, "]")),
        xy,
    )
    xy = np.where(fault == "zero", "[0,0]", xy)
    xy = np.where(fault == "empty", "", xy)
    xy = np.where(fault == "unreadable", "[n/a]", xy)
    xy = np.where(fault == "abroad", "[12.496366, 41.902783]", xy)  # Rome
    consolidated = (fault == "none") & (rng.random(n) < 0.9)

    watts = rng.random(n) < 0.02
    texts = ~watts & (rng.random(n) < 0.01)
    power_text = np.array([f"{p:g}" for p in power], dtype=object)
    power_text[watts] = [f"{p * 1000:g}" for p in power[watts]]
    power_text[texts] = [f"{p:g} kW".replace(".", ",") for p in power[texts]]

    codes = np.array([c[2] for c in _CITIES], dtype=object)[city]
    postal = np.array([c[3] for c in _CITIES], dtype=object)[city]
    code_fault = rng.random(n)
    insee = codes.copy()
    insee[code_fault < 0.02] = postal[code_fault < 0.02]
    lost_zero = (code_fault >= 0.02) & (code_fault < 0.03)
    insee[lost_zero] = [c.lstrip("0") for c in codes[lost_zero]]
    insee[(code_fault >= 0.03) & (code_fault < 0.08)] = ""

    date = pd.to_datetime("2018-01-01") + pd.to_timedelta(rng.integers(0, 2500, n), unit="D")
    iso = date.strftime("%Y-%m-%d").to_numpy(dtype=object)
    service = iso.copy()
    french = rng.random(n) < 0.01
    service[french] = date[french].strftime("%d/%m/%Y")
    service[rng.random(n) < 0.005] = "01/01/1900"
    observations = np.where(rng.random(n) < 0.005, "Accès par le parking\nniveau -1", "")

    frame = pd.DataFrame({name: "" for name in HEADER}, index=range(n))
    frame["nom_amenageur"] = operator
    frame["contact_operateur"] = "contact@example.org"
    frame["nom_operateur"] = operator
    frame["nom_enseigne"] = operator
    frame["id_station_itinerance"] = np.where(rng.random(n) < 0.02, "Non concerné", station_id)
    frame["nom_station"] = np.char.add("Station ", station.astype(str))
    frame["implantation_station"] = "Voirie"
    frame["adresse_station"] = np.char.add(
        np.char.add((station % 200 + 1).astype(str), " rue de la Gare, "),
        np.array([c[3] for c in _CITIES])[city],
    )
    frame["code_insee_commune"] = insee
    frame["coordonneesXY"] = xy
    frame["nbre_pdc"] = "4"
    frame["id_pdc_itinerance"] = pdc_id
    frame["puissance_nominale"] = power_text
    for name, share in (
        ("prise_type_ef", 0.3),
        ("prise_type_2", 0.9),
        ("prise_type_combo_ccs", 0.3),
        ("prise_type_chademo", 0.05),
        ("prise_type_autre", 0.02),
        ("gratuit", 0.1),
        ("paiement_acte", 0.8),
        ("paiement_cb", 0.5),
        ("reservation", 0.1),
        ("station_deux_roues", 0.02),
    ):
        frame[name] = _booleans(rng, n, share)
    frame["condition_acces"] = "Accès libre"
    frame["horaires"] = "24/7"
    frame["accessibilite_pmr"] = "Accessibilité inconnue"
    frame["restriction_gabarit"] = "inconnu"
    frame["date_mise_en_service"] = service
    frame["observations"] = observations
    frame["date_maj"] = iso
    frame["consolidated_longitude"] = np.where(consolidated, lon_text, "")
    frame["consolidated_latitude"] = np.where(consolidated, lat_text, "")

    # One row per connector: a copy of an earlier charge point's row, another connector type.
    connector = np.flatnonzero(fault == "connector")
    source = rng.integers(0, connector, len(connector)) if len(connector) else connector
    source = _originals(source, fault)
    frame.loc[connector] = frame.loc[source].to_numpy()
    frame.loc[connector, "prise_type_ef"] = "true"
    # The same charge point published by a second operator, ~100 m away, another power.
    other = np.flatnonzero(fault == "other_operator")
    source = _originals(rng.integers(0, other, len(other)), fault) if len(other) else other
    frame.loc[other] = frame.loc[source].to_numpy()
    frame.loc[other, "nom_operateur"] = "Opérateur Bis"
    frame.loc[other, "puissance_nominale"] = "44"
    frame.loc[other, "date_maj"] = "2019-01-01"
    frame.loc[other, "coordonneesXY"] = [
        f"[{x + 0.001:.6f},{y:.6f}]" for x, y in zip(lon[source], lat[source], strict=True)
    ]
    frame.loc[other, ["consolidated_longitude", "consolidated_latitude"]] = ""

    frame = frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    frame.to_csv(path, index=False, encoding="utf-8")
    rejected = int(np.isin(fault, ["zero", "empty", "unreadable", "abroad"]).sum())
    duplicates = len(connector) + len(other)
    return {
        "rows": n,
        "rejected": rejected,
        "duplicates": duplicates,
        "kept": n - rejected - duplicates,
    }


def _originals(source: np.ndarray, fault: np.ndarray) -> np.ndarray:
    """Move copy sources off rows that are themselves faulty, to the nearest clean row before."""
    clean = np.flatnonzero(fault == "none")
    position = np.searchsorted(clean, source, side="right") - 1
    return clean[np.maximum(position, 0)]


def _load_in_child(path: Path) -> dict[str, Any]:
    """Run the load in this process and report its time and peak memory (child side)."""
    from geo.datasets import load_dataset
    from geo.territory import load_territories

    start = time.perf_counter()
    territories = load_territories()
    territories.locate([45.0], [5.0])  # the grid index, built once per process
    reference_seconds = time.perf_counter() - start
    start = time.perf_counter()
    loaded = load_dataset(CATALOGUE["irve"], path, territories=territories)
    load_seconds = time.perf_counter() - start
    report = loaded.report
    return {
        "load_seconds": round(load_seconds, 2),
        "reference_seconds": round(reference_seconds, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rows_read": report.rows_read,
        "rows_kept": report.rows_kept,
        "rows_rejected": report.rows_rejected,
        "duplicates_removed": report.duplicates_removed,
        "repairs": report.repairs,
        "warnings": len(report.warnings),
    }


def bench_datasets(*, rows: int = 150_000, seed: int = 0) -> dict[str, Any]:
    """Generate the file, load it in a child process, return ``rows``, ``load_seconds``,
    ``peak_rss_mb`` and what the load found against what it should have found."""
    with tempfile.TemporaryDirectory(prefix="geo-bench-irve-") as folder:
        path = Path(folder) / "irve-national.csv"
        start = time.perf_counter()
        expected = generate_irve(path, rows, seed=seed)
        generate_seconds = time.perf_counter() - start
        size_mb = path.stat().st_size / 1e6
        child = subprocess.run(
            [sys.executable, "-m", "geo.bench.datasets", str(path)],
            capture_output=True,
            text=True,
            check=False,
            env=os.environ.copy(),
        )
        if child.returncode != 0:
            msg = f"Le chargement mesuré a échoué : {child.stderr.strip()[-2000:]}"
            raise RuntimeError(msg)
        measured = json.loads(child.stdout)
    return {
        "rows": rows,
        "load_seconds": measured["load_seconds"],
        "peak_rss_mb": measured["peak_rss_mb"],
        "file_mb": round(size_mb, 1),
        "generate_seconds": round(generate_seconds, 2),
        "reference_seconds": measured["reference_seconds"],
        "rows_kept": measured["rows_kept"],
        "rows_rejected": measured["rows_rejected"],
        "duplicates_removed": measured["duplicates_removed"],
        "expected": expected,
        "counts_as_expected": (
            measured["rows_read"] == expected["rows"]
            and measured["rows_rejected"] == expected["rejected"]
            and measured["duplicates_removed"] == expected["duplicates"]
            and measured["rows_kept"] == expected["kept"]
        ),
        "repairs": measured["repairs"],
        "budget": {"load_seconds": 20, "peak_rss_mb": 2048},
    }


if __name__ == "__main__":  # the measured child: python -m geo.bench.datasets FILE
    json.dump(_load_in_child(Path(sys.argv[1])), sys.stdout)
