"""Values as real publishers write them, repaired column by column (never row by row).

Every helper takes a column of strings and returns a :class:`Parsed`: the values, a mask of
the cells that held something unreadable, and one mask per kind of repair, so the loader can
count repairs (``LoadReport.repair``) and decide what to reject. Reading the file itself
(encodings, separators, line numbers) is :mod:`geo.datasets.csvfile`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

from geo.territory.codes import OLD, POSTAL, CodeReading, CommuneCodeReader
from geo.territory.reference import Cog

#: Pandas dtype of every date column of a normalised frame: a real date, no time, no zone.
DATE_DTYPE = pd.ArrowDtype(pa.date32())

_TRUE = frozenset({"true", "vrai", "oui", "1", "yes", "y", "t", "o", "1.0"})
_FALSE = frozenset({"false", "faux", "non", "0", "no", "n", "f", "0.0"})
_CANONICAL_BOOLEANS = frozenset({"true", "false"})

#: Dates publishers write when they do not know one.
PLACEHOLDER_DATES = frozenset({(1900, 1, 1), (1899, 12, 30), (1, 1, 1), (9999, 12, 31)})

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_COMMA_NUMBER = r"[-+]?\d+(?:,\d+)?"
_PAIR = re.compile(
    rf"^\s*(?:POINT\s*)?[\[(]?\s*({_NUMBER})\s*[,;\s]\s*({_NUMBER})\s*[\])]?\s*$", re.IGNORECASE
)
# "48,3453 ; 7,4871": decimal commas, so the two numbers must be split by ";" or blanks.
_COMMA_PAIR = re.compile(
    rf"^\s*[\[(]?\s*({_COMMA_NUMBER})\s*(?:;|\s)\s*({_COMMA_NUMBER})\s*[\])]?\s*$"
)
_POWER = re.compile(r"^([-+]?\d+(?:[.,]\d+)?)\s*(kw|kva|w|va|mw|mva)?h?$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[T ].*)?$")
_YEAR_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:[T ].*)?$")


@dataclass(frozen=True)
class Parsed:
    """One parsed column: ``values``; ``invalid`` marks cells with unreadable content (empty
    cells are missing, not invalid); ``repairs`` maps a repair kind to the rows it changed."""

    values: pd.Series
    invalid: np.ndarray
    repairs: Mapping[str, np.ndarray] = field(default_factory=dict)


class Box(NamedTuple):
    name: str
    lon_min: float
    lon_max: float
    lat_min: float
    lat_max: float


#: Where French points can be, with a margin for coasts and islands. Boxes, not outlines:
#: a point a few km into Belgium passes, a point in the Atlantic or in Africa does not.
FRANCE_BOXES: tuple[Box, ...] = (
    Box("France métropolitaine et Corse", -5.5, 10.0, 41.0, 51.5),
    Box("Guadeloupe", -61.9, -60.9, 15.8, 16.6),
    Box("Martinique", -61.4, -60.7, 14.3, 15.0),
    Box("Guyane", -54.7, -51.5, 2.0, 6.0),
    Box("La Réunion", 55.0, 56.0, -21.6, -20.6),
    Box("Mayotte", 44.8, 45.5, -13.2, -12.4),
    Box("Saint-Pierre-et-Miquelon", -56.5, -56.0, 46.7, 47.2),
    Box("Saint-Barthélemy et Saint-Martin", -63.2, -62.7, 17.8, 18.2),
    Box("Wallis-et-Futuna", -178.3, -176.0, -14.5, -13.0),
    Box("Polynésie française", -155.0, -134.0, -28.0, -7.0),
    Box("Nouvelle-Calédonie", 163.0, 169.0, -23.0, -19.0),
)


# --- speed: parse each distinct value once -------------------------------------------------------


def spread_distinct(values: pd.Series, parse: Callable[[pd.Series], Parsed]) -> Parsed:
    """Run ``parse`` on the distinct values of a column and spread the result back.

    Booleans, powers, dates and commune codes repeat a lot in a national file (a few to a few
    thousand distinct values for 150,000 rows), so this divides the string work by the
    repetition. Columns with mostly distinct values are parsed directly.
    """
    series = pd.Series(values, copy=False)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if len(uniques) * 4 > len(series):
        return parse(series)
    parsed = parse(pd.Series([*uniques, None], dtype="str"))
    take = np.where(codes < 0, len(uniques), codes)
    spread = parsed.values.iloc[take]
    spread.index = series.index
    repairs = {kind: mask[take] for kind, mask in parsed.repairs.items()}
    return Parsed(spread, parsed.invalid[take], repairs)


def per_distinct_value(parse: Callable[..., Parsed]) -> Callable[..., Parsed]:
    """Decorator: ``parse(values, ...)`` through :func:`spread_distinct`."""

    @functools.wraps(parse)
    def wrapper(values: pd.Series, *args: object, **kwargs: object) -> Parsed:
        return spread_distinct(values, lambda distinct: parse(distinct, *args, **kwargs))

    return wrapper


# --- text ---------------------------------------------------------------------------------------


def text(values: pd.Series) -> pd.Series:
    """Strings stripped of surrounding blanks; empty cells become missing (``NA``)."""
    series = pd.Series(values, dtype="str", copy=False)
    stripped = series.str.strip()
    return stripped.mask(stripped == "")


def _present(series: pd.Series) -> np.ndarray:
    return series.notna().to_numpy()


# --- numbers ------------------------------------------------------------------------------------


def parse_float(values: pd.Series) -> Parsed:
    """Numbers with ``.`` or ``,`` as decimal mark and blanks as thousands separators."""
    raw = text(values)
    compact = raw.str.replace(_SPACES, "", regex=True)
    comma = compact.str.contains(",", regex=False).fillna(False).to_numpy(dtype=bool)
    numbers = pd.to_numeric(compact.str.replace(",", ".", regex=False), errors="coerce")
    numbers = numbers.astype("float64")
    invalid = _present(raw) & np.isnan(numbers.to_numpy())
    return Parsed(numbers, invalid, {"nombre_virgule": comma & ~invalid})


@per_distinct_value
def parse_int(values: pd.Series) -> Parsed:
    """Whole numbers (``12``, ``12.0``, ``1 200``) as ``Int64``; ``12.5`` is invalid."""
    parsed = parse_float(values)
    numbers = parsed.values.to_numpy()
    whole = np.isfinite(numbers) & (np.mod(numbers, 1) == 0)
    ints = pd.Series(np.where(whole, numbers, np.nan), index=parsed.values.index).astype("Int64")
    invalid = parsed.invalid | (np.isfinite(numbers) & ~whole)
    return Parsed(ints, invalid, {})


@per_distinct_value
def parse_power_kw(values: pd.Series, *, watts_from: float | None = 1000.0) -> Parsed:
    """Power in kW from ``22``, ``22000`` (W), ``"22 kW"``, ``"3,7kW"``, ``"22 kva"``.

    A bare number at or above ``watts_from`` is taken as watts (no charge point reaches
    1 MW, every wallbox written in W does); ``None`` turns that guess off for datasets whose
    powers are large kW figures (power plants). kVA is read as kW (cos φ ≈ 1 on chargers).
    """
    raw = text(values)
    compact = raw.str.replace(_SPACES, "", regex=True)
    parts = compact.str.extract(_POWER)
    numbers = pd.to_numeric(parts[0].str.replace(",", ".", regex=False), errors="coerce")
    numbers = numbers.astype("float64").to_numpy()
    unit = parts[1].str.lower().fillna("").to_numpy(dtype=object)
    factor = np.ones(len(numbers))
    factor[(unit == "w") | (unit == "va")] = 1e-3
    factor[(unit == "mw") | (unit == "mva")] = 1e3
    bare = unit == ""
    watts = np.zeros(len(numbers), dtype=bool)
    if watts_from is not None:
        with np.errstate(invalid="ignore"):
            watts = bare & (numbers >= watts_from)
        factor[watts] = 1e-3
    kw = numbers * factor
    invalid = _present(raw) & np.isnan(kw)
    with_unit = ~bare & ~invalid
    return Parsed(
        pd.Series(kw, index=raw.index),
        invalid,
        {
            "puissance_en_watts": watts | (with_unit & (factor == 1e-3)),
            "puissance_texte": with_unit,
        },
    )


# --- booleans and dates -------------------------------------------------------------------------


@per_distinct_value
def parse_bool(values: pd.Series) -> Parsed:
    """``true/TRUE/True/1/0/oui/non/vrai/faux`` as a nullable boolean; other spellings than
    ``true``/``false`` are counted as ``booleen_orthographe`` repairs."""
    raw = text(values)
    lower = raw.str.lower()
    is_true = lower.isin(_TRUE).to_numpy(dtype=bool)
    is_false = lower.isin(_FALSE).to_numpy(dtype=bool)
    result = pd.array(np.where(is_true, True, False), dtype="boolean")
    result[~(is_true | is_false)] = pd.NA
    present = _present(raw)
    canonical = raw.isin(_CANONICAL_BOOLEANS).to_numpy(dtype=bool)
    invalid = present & ~(is_true | is_false)
    respelt = present & ~canonical & ~invalid
    return Parsed(pd.Series(result, index=raw.index), invalid, {"booleen_orthographe": respelt})


@per_distinct_value
def parse_date(values: pd.Series) -> Parsed:
    """Dates from ISO (``2023-07-10``, with or without a time), ``dd/mm/yyyy``, ``dd-mm-yyyy``,
    ``yyyy/mm/dd``. Placeholders (``01/01/1900`` …) become missing, counted as ``date_fictive``;
    non-ISO spellings are counted as ``date_format``."""
    raw = text(values)
    iso = raw.str.extract(_ISO_DATE)
    day_first = raw.str.extract(_DAY_FIRST)
    year_slash = raw.str.extract(_YEAR_SLASH)
    use_day_first = day_first[0].notna().to_numpy()
    use_year_slash = year_slash[0].notna().to_numpy()
    year = iso[0].where(~use_day_first, day_first[2]).where(~use_year_slash, year_slash[0])
    month = iso[1].where(~use_day_first, day_first[1]).where(~use_year_slash, year_slash[1])
    day = iso[2].where(~use_day_first, day_first[0]).where(~use_year_slash, year_slash[2])
    parts = pd.DataFrame(
        {
            "year": pd.to_numeric(year, errors="coerce"),
            "month": pd.to_numeric(month, errors="coerce"),
            "day": pd.to_numeric(day, errors="coerce"),
        }
    )
    placeholder = np.zeros(len(raw), dtype=bool)
    for y, m, d in PLACEHOLDER_DATES:
        placeholder |= (
            (parts["year"] == y) & (parts["month"] == m) & (parts["day"] == d)
        ).to_numpy()
    # to_datetime cannot hold years before 1677 in ns: clip them out before converting.
    plausible = parts["year"].between(1800, 2200).to_numpy() & ~placeholder
    parts.loc[~plausible] = np.nan
    stamps = pd.to_datetime(parts, errors="coerce")
    present = _present(raw)
    invalid = present & stamps.isna().to_numpy() & ~placeholder
    dates = stamps.astype("datetime64[s]").astype(DATE_DTYPE)
    rewritten = (use_day_first | use_year_slash) & ~invalid & ~placeholder
    return Parsed(dates, invalid, {"date_format": rewritten, "date_fictive": placeholder})


# --- coordinates --------------------------------------------------------------------------------


def parse_coordinate_pair(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two numbers of ``"[7.4871,48.3453]"``, ``"[-1.4292, 46.7762]"``, ``"48,34 ; 7,48"``,
    ``"POINT(7.48 48.34)"``, in the order written, and the mask of unreadable cells."""
    raw = text(values)
    pair = raw.str.extract(_PAIR)
    first, second = pair[0], pair[1]
    retry = (first.isna() & raw.notna()).to_numpy()
    if retry.any():  # the rare decimal-comma spellings, only where the usual one failed
        comma_pair = raw[retry].str.extract(_COMMA_PAIR)
        first = first.copy()
        second = second.copy()
        first[retry] = comma_pair[0].str.replace(",", ".", regex=False)
        second[retry] = comma_pair[1].str.replace(",", ".", regex=False)
    a = pd.to_numeric(first, errors="coerce").astype("float64").to_numpy()
    b = pd.to_numeric(second, errors="coerce").astype("float64").to_numpy()
    invalid = _present(raw) & (np.isnan(a) | np.isnan(b))
    return a, b, invalid


def in_france(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Whether each point falls in one of :data:`FRANCE_BOXES` (NaN never does)."""
    lon, lat = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    inside = np.zeros(lon.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        for box in FRANCE_BOXES:
            inside |= (
                (lon >= box.lon_min)
                & (lon <= box.lon_max)
                & (lat >= box.lat_min)
                & (lat <= box.lat_max)
            )
    return inside


class Oriented(NamedTuple):
    """Longitudes and latitudes after the order check, with what was found per row."""

    lon: np.ndarray
    lat: np.ndarray
    swapped: np.ndarray  # written lat first: repaired
    missing: np.ndarray  # no usable pair of numbers
    zero: np.ndarray  # the [0, 0] placeholder
    outside: np.ndarray  # numbers, but in France in neither order


def orient_lon_lat(lon: np.ndarray, lat: np.ndarray) -> Oriented:
    """Decide, per row, whether ``(lon, lat)`` was written in that order or swapped, by which
    reading falls in France (metropolitan or overseas). The written order wins when both do."""
    lon, lat = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    missing = np.isnan(lon) | np.isnan(lat)
    zero = ~missing & (lon == 0) & (lat == 0)
    as_written = in_france(lon, lat)
    swapped = ~as_written & in_france(lat, lon)
    outside = ~missing & ~zero & ~as_written & ~swapped
    return Oriented(
        np.where(swapped, lat, lon), np.where(swapped, lon, lat), swapped, missing, zero, outside
    )


# --- commune codes ------------------------------------------------------------------------------


class CommuneCodes:
    """INSEE commune codes as published, read column by column with the one rule of
    :mod:`geo.territory.codes` (current code, then old code of the commune that absorbed it,
    then postal code): spaces dropped, lost leading zero restored, old (merged, délégué,
    arrondissement) codes and postal codes mapped to current codes. Each distinct value is
    read once."""

    def __init__(self, reference: Cog | CommuneCodeReader) -> None:
        self.reader = reference if isinstance(reference, CommuneCodeReader) else (
            CommuneCodeReader(reference))  # fmt: skip

    def readings(self, values: pd.Series) -> list[CodeReading | None]:
        """The :class:`CodeReading` of each row (None where the cell is empty)."""
        raw = text(values)
        positions, uniques = pd.factorize(raw, use_na_sentinel=True)
        read = [self.reader.read(value) for value in uniques]
        return [read[p] if p >= 0 else None for p in positions.tolist()]

    def clean(self, values: pd.Series) -> Parsed:
        """Current INSEE codes; a postal code shared by several communes gives ``None`` (not
        invalid: the located point decides). Unknown or malformed codes are invalid."""
        raw = text(values)
        positions, uniques = pd.factorize(raw, use_na_sentinel=True)
        read = [self.reader.read(value) for value in uniques]
        # One slot per distinct value, plus a last one for empty cells.
        chosen = np.array([r.chosen for r in read] + [None], dtype=object)
        invalid = np.array([not r.known for r in read] + [False], dtype=bool)
        known = ~invalid
        kind = np.array([r.kind for r in read] + [None], dtype=object)
        spaced = np.array([r.spaced for r in read] + [False], dtype=bool) & known
        short = np.array([r.zero_restored for r in read] + [False], dtype=bool)
        take = np.where(positions < 0, len(read), positions)
        return Parsed(
            pd.Series(chosen[take], index=raw.index, dtype=object),
            invalid[take],
            {
                "code_insee_espaces": spaced[take],
                "code_insee_zero_initial": short[take],
                "code_insee_ancien": (kind == OLD)[take],
                "code_insee_code_postal": (kind == POSTAL)[take],
            },
        )

    def disagree(self, values: pd.Series, located: pd.Series) -> np.ndarray:
        """Rows where both a published code and a located commune exist and the located
        commune is none of the code's readings (current, old or postal)."""
        readings = self.readings(values)
        located_codes = pd.Series(located, dtype=object).tolist()
        return np.array(
            [
                reading is not None and isinstance(commune, str) and not reading.designates(commune)
                for reading, commune in zip(readings, located_codes, strict=True)
            ],
            dtype=bool,
        )
