"""``python -m geo territory locate|search|sheet``: the territory engine from the shell."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from geo.cli.console import print_json
from geo.errors import GeoError, InvalidCoordinatesError
from geo.territory import TERRITORY_COLUMNS, Territories, load_territories
from geo.territory.engine import parse_coordinates

#: Accepted spellings of the coordinate columns of a CSV, first found wins.
LAT_COLUMNS = ("lat", "latitude", "y", "Ylat", "consolidated_latitude")
LON_COLUMNS = ("lon", "lng", "long", "longitude", "x", "Xlong", "consolidated_longitude")


def run(args: argparse.Namespace) -> int:
    if args.territory_command == "search":
        return _search(args)
    if args.territory_command == "sheet":
        from geo.cli.sheet import run_sheet

        return run_sheet(args)
    if args.csv_in:
        return _locate_csv(args)
    return _locate_points(args)


def _search(args: argparse.Namespace) -> int:
    results = load_territories().search(args.text, limit=args.limit)
    if args.json:
        print_json([r.to_dict() for r in results])
    elif not results:
        print(f"Aucun territoire ne correspond à {args.text!r}.", file=sys.stderr)
    else:
        for result in results:
            print(f"{result.level:<12} {result.code:<10} {result.label}")
    return 0


def located_frame(territories: Territories, lat: object, lon: object) -> pd.DataFrame:
    """The territory columns plus commune and EPCI names, for output."""
    located = territories.locate(lat, lon)
    located.insert(1, "nom_commune", territories.names("commune", located["code_commune"]))
    located.insert(3, "nom_epci", territories.names("epci", located["code_epci"]))
    return located


def _locate_points(args: argparse.Namespace) -> int:
    if not args.coords or len(args.coords) % 2:
        msg = "Donnez des paires LAT LON (par exemple : 45.1885 5.7245), ou --csv FICHIER."
        raise GeoError(msg)
    lat, lon = args.coords[0::2], args.coords[1::2]
    try:
        located = located_frame(load_territories(), lat, lon)
    except InvalidCoordinatesError as error:
        shown = ", ".join(f"n°{row + 1} ({lat[row]} {lon[row]})" for row in error.rows[:10])
        msg = f"Coordonnées invalides pour les points {shown}."
        raise GeoError(msg) from error
    lat_values, lon_values, _ = parse_coordinates(lat, lon)
    located.insert(0, "lat", lat_values)
    located.insert(1, "lon", lon_values)
    records = located.to_dict(orient="records")
    if args.json:
        print_json(records)
    else:
        for record in records:
            print(" ".join(f"{k}={v}" for k, v in record.items()))
    return 0


def _locate_csv(args: argparse.Namespace) -> int:
    """Stream a CSV of points in chunks: memory stays bounded whatever the file's size.

    Rows with invalid coordinates keep their place, with empty territory columns, and are
    reported with their line number: one bad row must not lose a million good ones.
    """
    source, target = Path(args.csv_in), Path(args.out) if args.out else None
    if target is None:
        msg = "--csv demande aussi --out FICHIER.csv pour écrire le résultat."
        raise GeoError(msg)
    territories = load_territories()
    totals = {"rows": 0, "located": 0, "outside": 0, "invalid": 0}
    invalid_lines: list[int] = []
    tmp = target.with_name(target.name + ".partial")
    try:
        reader = (
            pd.read_csv(
                source,
                dtype=str,
                keep_default_na=False,
                chunksize=args.chunk_size,
                sep=None,
                engine="python",
                encoding="utf-8-sig",
            )
            if _needs_sniffing(source)
            else pd.read_csv(
                source,
                dtype=str,
                keep_default_na=False,
                chunksize=args.chunk_size,
                encoding="utf-8-sig",
            )
        )
        with reader, tmp.open("w", encoding="utf-8", newline="") as out:
            for number, chunk in enumerate(reader):
                lat_col, lon_col = _coordinate_columns(chunk.columns, source)
                _, _, bad = parse_coordinates(chunk[lat_col], chunk[lon_col])
                located = pd.DataFrame(
                    {name: pd.Series([None] * len(chunk), dtype=object) for name in _OUT}
                )
                good = np.flatnonzero(~bad)
                if good.size:
                    found = located_frame(
                        territories,
                        chunk[lat_col].to_numpy()[good],
                        chunk[lon_col].to_numpy()[good],
                    )
                    located.iloc[good] = found[list(_OUT)].to_numpy()
                first_line = totals["rows"] + 2  # line 1 is the header
                invalid_lines += (np.flatnonzero(bad) + first_line).tolist()
                totals["rows"] += len(chunk)
                totals["invalid"] += int(bad.sum())
                inside = located["code_commune"].notna().sum()
                totals["located"] += int(inside)
                totals["outside"] += int(len(good) - inside)
                result = pd.concat([chunk.reset_index(drop=True), located], axis=1)
                result.to_csv(out, index=False, header=number == 0)
        tmp.replace(target)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as error:
        tmp.unlink(missing_ok=True)
        msg = f"Lecture ou écriture impossible ({source} → {target}) : {error}"
        raise GeoError(msg) from error
    if invalid_lines:
        shown = ", ".join(map(str, invalid_lines[:20])) + (" …" if len(invalid_lines) > 20 else "")
        print(
            f"{len(invalid_lines)} ligne(s) aux coordonnées invalides, laissées sans "
            f"territoire : lignes {shown}",
            file=sys.stderr,
        )
    if args.json:
        print_json({**totals, "invalid_lines": invalid_lines[:1000], "out": str(target)})
    else:
        print(
            f"{totals['rows']} lignes : {totals['located']} localisées, "
            f"{totals['outside']} hors des communes chargées, {totals['invalid']} invalides "
            f"→ {target}",
            file=sys.stderr,
        )
    return 0


_OUT = ("code_commune", "nom_commune", "code_epci", "nom_epci", *TERRITORY_COLUMNS[2:])


def _needs_sniffing(source: Path) -> bool:
    """A `;`-separated file (common in French exports) needs the separator sniffed."""
    with source.open(encoding="utf-8-sig", errors="replace") as handle:
        header = handle.readline()
    return ";" in header and "," not in header


def _coordinate_columns(columns: pd.Index, source: Path) -> tuple[str, str]:
    lat = next((c for c in LAT_COLUMNS if c in columns), None)
    lon = next((c for c in LON_COLUMNS if c in columns), None)
    if lat is None or lon is None:
        msg = (
            f"{source} : colonnes de coordonnées introuvables (attendu : lat et lon ; "
            f"colonnes présentes : {', '.join(map(str, columns))})."
        )
        raise GeoError(msg)
    return lat, lon
