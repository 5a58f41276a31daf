"""Per-territory indicators from the public datasets: counts and sums, per 10,000 inhabitants,
each with its source and date.

Pure functions over the normalised frames the loaders give (:mod:`geo.datasets`); what is
counted is declared in the catalogue (:class:`geo.datasets.catalogue.Aggregate`), so a new
dataset brings its figures with it. A whole level is computed at once by a groupby
(:func:`indicator_table`, one row per territory, for tables and choropleths);
:func:`territory_indicators` gives the figures of one territory for every dataset.

Missing data is ``None`` ("non disponible"), never 0. The rule:

1. A dataset that is not loaded gives ``None`` for every figure.
2. A ``national`` dataset (IRVE, BNLC, ODRÉ register, Agence ORE) gives the aggregate of a
   territory's rows, or 0 when it has none, for the territories it **covers**, and ``None``
   elsewhere (a partly covered région would otherwise show the sum of its covered part).
3. A ``local`` dataset (a producer's file: bike parking, cycle lanes) gives the aggregate of
   a territory's rows (what that producer publishes there, a lower bound), and ``None`` for
   territories without rows: its file says nothing about them.
4. A sum over values that are all missing (secret consumption, unreadable power) is ``None``.

A national dataset covers a territory when it covers all its communes, which needs the
evidence of the file itself: a file with rows in at least half of the départements of the
loaded communes (:data:`NATIONAL_SHARE`) is the national file, covering every commune where
its rows could be placed (for points and lines, whose outline is loaded: elsewhere a point
could not be counted; for commune tables, every commune); a file with rows in fewer is an
excerpt, covering only the départements it has rows in (the mirror's IRVE excerpt is one
site in the Somme: Isère is not covered, "non disponible", not 0 charge points; the Agence
ORE excerpt covers départements 61 to 72). ``departements=`` narrows the coverage further.

Yearly series (``Dataset.period_column``: the Agence ORE consumption) use the latest year of
the frame for every territory; years are never summed.

Per 10,000 inhabitants: the figure divided by the COG municipal population (sum over the
communes of the territory) × 10,000; ``None`` when the figure or the population is missing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo.datasets.catalogue import CATALOGUE, Aggregate, Dataset
from geo.sources.declared import SOURCES
from geo.territory.ref import check_level
from geo.text import french_count_of, french_number

if TYPE_CHECKING:
    from geo.datasets import Loaded
    from geo.territory import Territories

NOT_AVAILABLE = "non disponible"
PER_INHABITANTS = 10_000
PER_SUFFIX = "_pour_10k"
#: Decimals kept in sums (float artefacts of MWh sums disappear) and in per-10k figures.
DECIMALS = 3
#: Share of the loaded départements a national dataset's file must have rows in to be taken
#: as the whole national file (else an excerpt: see the module rule).
NATIONAL_SHARE = 0.5
_COG_COLUMN = {"commune": "code", "epci": "epci", "departement": "departement", "region": "region"}

REASON_NOT_LOADED = "jeu de données non chargé"
REASON_NOT_COVERED = "territoire hors de la couverture du jeu de données"
#: ``reason`` of a missing figure where the dataset has rows (or covers the territory).
REASON_MISSING = "valeur absente ou secrète dans la source"


@dataclass(frozen=True)
class SourceInfo:
    """Where a figure comes from and how recent it is."""

    dataset: str
    title: str
    producer: str
    licence: str
    attribution: str
    url: str
    #: Latest date of the data (file dates, else download date from the manifest).
    data_date: date | None
    #: What ``data_date`` is, in French.
    date_basis: str | None
    #: Year used, for yearly series.
    period: int | None = None
    licence_url: str = ""
    #: The dataset's page for people (description, editions).
    page_url: str = ""
    #: Rows loaded, and those outside the loaded territories (on the map, in no territory's
    #: figure: :func:`geo.datasets.count_outside`); None when not counted.
    rows: int | None = None
    rows_outside: int | None = None

    @property
    def outside_text(self) -> str | None:
        """``"2 373 des 2 473 lignes sont hors des territoires chargés…"``, when any is."""
        if not self.rows_outside or self.rows is None:
            return None
        one = self.rows_outside == 1
        return (
            f"{french_number(self.rows_outside)} des {french_number(self.rows)} lignes "
            f"{'est' if one else 'sont'} hors des territoires chargés : "
            f"{'elle ne compte' if one else 'elles ne comptent'} dans aucun territoire."
        )

    @property
    def date_text(self) -> str:
        if self.period is not None:
            return f"données de l'année {self.period}"
        if self.data_date is None:
            return "date des données inconnue"
        return f"{self.date_basis} : {self.data_date.strftime('%d/%m/%Y')}"


@dataclass(frozen=True)
class Figure:
    """One indicator of one territory; ``value`` None means "non disponible" (``reason``)."""

    dataset: str
    indicator: str
    label: str
    category: str | None
    value: float | None
    unit: str | None
    per_10k: float | None
    population: int | None
    source: SourceInfo
    reason: str | None = None

    @property
    def available(self) -> bool:
        return self.value is not None

    def text(self) -> str:
        """``12 345,6 kW``, ``1 site`` (a whole count agrees with its unit) or ``non
        disponible`` (French number format)."""
        if self.value is None:
            return NOT_AVAILABLE
        if self.unit and float(self.value).is_integer():
            return french_count_of(int(self.value), self.unit)
        number = french_number(self.value)
        return f"{number} {self.unit}" if self.unit else number

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["source"]["data_date"] = (
            self.source.data_date.isoformat() if self.source.data_date else None
        )
        data["source"]["date_text"] = self.source.date_text
        return data


# --- sources ------------------------------------------------------------------------------------


def source_info(
    dataset: Dataset,
    frame: pd.DataFrame | None = None,
    *,
    as_of: date | tuple[date, str] | None = None,
    as_of_basis: str = "téléchargé le",
    today: date | None = None,
) -> SourceInfo:
    """The source of a dataset's figures: title, producer, licence and the data date, taken
    from the frame (latest ``date_column`` value, or the latest period) else ``as_of``
    (the file's date from :func:`manifest_dates`, said by ``as_of_basis``, or the pair
    ``(date, basis)`` that function gives). Dates after ``today``
    (default: the current date) are publisher typos, not updates: they are ignored (the
    BNLC has one ``date_maj`` in 2026-12)."""
    data_date, basis, period = None, None, None
    if isinstance(as_of, tuple):
        as_of, as_of_basis = as_of
    if frame is not None and dataset.period_column in getattr(frame, "columns", ()):
        latest = pd.to_numeric(frame[dataset.period_column], errors="coerce").max()
        period = None if pd.isna(latest) else int(latest)
    if frame is not None and dataset.date_column in getattr(frame, "columns", ()):
        dates = pd.to_datetime(frame[dataset.date_column].astype(object), errors="coerce")
        limit = pd.Timestamp(today or date.today())
        latest_date = dates[dates <= limit].max()
        if not pd.isna(latest_date):
            data_date, basis = latest_date.date(), "mise à jour la plus récente du fichier"
    if data_date is None and as_of is not None:
        data_date, basis = as_of, as_of_basis
    return SourceInfo(
        dataset=dataset.id,
        title=dataset.title,
        producer=dataset.producer,
        licence=dataset.licence.name,
        attribution=dataset.licence.attribution,
        url=dataset.url,
        licence_url=dataset.licence.url,
        page_url=dataset.page_url,
        data_date=data_date,
        date_basis=basis,
        period=period,
    )


def manifest_dates(manifest: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[date, str]]:
    """``(date, what it is)`` per source name from ``manifest.json`` (as read by
    :func:`geo.sources.fetch.read_manifest`): the file's own date when the fetch recorded it
    (the server's Last-Modified, the mirror file's date), else the day it was fetched."""
    dates: dict[str, tuple[date, str]] = {}
    for name, entry in manifest.items():
        if not isinstance(entry, Mapping):
            continue
        for key, basis in (("published_at", "fichier du"), ("fetched_at", "téléchargé le")):
            try:
                dates[name] = (datetime.fromisoformat(str(entry.get(key))).date(), basis)
                break
            except ValueError:
                continue
    return dates


def dataset_source(
    dataset: Dataset,
    frame: pd.DataFrame | None,
    manifest: Mapping[str, Mapping[str, Any]],
    *,
    today: date | None = None,
) -> SourceInfo:
    """:func:`source_info` dated by the file when its rows are not: the date ``manifest.json``
    recorded for the dataset's file (:func:`manifest_dates`)."""
    dated = manifest_dates(manifest).get(dataset.source)
    if dated is None:
        return source_info(dataset, frame, today=today)
    return source_info(dataset, frame, as_of=dated[0], as_of_basis=dated[1], today=today)


def reference_source(manifest: Mapping[str, Mapping[str, Any]]) -> SourceInfo:
    """The source of the territories (outlines and codes), dated by the commune outlines'
    file in ``manifest.json``."""
    outlines, codes = SOURCES["contours-communes"], SOURCES["cog-communes"]
    dated = manifest_dates(manifest).get(outlines.name)
    return SourceInfo(
        dataset="territoires",
        title="Contours et codes des territoires",
        producer=f"{outlines.producer} ; {codes.producer}",
        licence=outlines.licence,
        attribution=f"Source : {outlines.producer} et {codes.producer}, {outlines.licence}",
        url=outlines.url,
        licence_url=outlines.licence_url,
        data_date=dated[0] if dated else None,
        date_basis=dated[1] if dated else None,
    )


def dates_from_manifest(manifest: Mapping[str, Mapping[str, Any]]) -> dict[str, date]:
    """The date of :func:`manifest_dates` alone, per source name."""
    return {name: day for name, (day, _) in manifest_dates(manifest).items()}


# --- coverage and population --------------------------------------------------------------------


def covered(
    dataset: Dataset,
    frame: pd.DataFrame,
    level: str,
    codes: pd.Index,
    territories: Territories | None,
    *,
    departements: Collection[str] | None = None,
) -> np.ndarray:
    """Whether the dataset (loaded as ``frame``) covers each territory: a territory without
    rows then has 0 (see the module rule). Nothing is covered without ``territories``."""
    if dataset.coverage != "national" or territories is None:
        return np.zeros(len(codes), dtype=bool)
    communes = territories.cog.communes
    flag = np.ones(len(communes), dtype=bool)
    if dataset.geometry != "commune":
        flag &= communes["code"].isin(territories.loaded_communes).to_numpy()
    column = frame["code_departement"] if "code_departement" in frame.columns else ()
    present = set(pd.Series(column).dropna())
    loaded = set(communes["departement"][flag].dropna())
    if len(present & loaded) < NATIONAL_SHARE * len(loaded):  # an excerpt
        flag &= communes["departement"].isin(present).to_numpy()
    if departements is not None:
        flag &= communes["departement"].isin(set(departements)).to_numpy()
    per_code = pd.Series(flag, index=communes[_COG_COLUMN[level]].to_numpy())
    per_code = per_code[per_code.index.notna()].groupby(level=0).all()
    return per_code.reindex(codes).fillna(False).to_numpy(dtype=bool)


def populations(territories: Territories, level: str) -> pd.Series:
    """COG municipal population of every territory of a level (Int64, missing when none of
    its communes has one), as :meth:`Territories.population` computes it for one."""
    communes = territories.cog.communes
    column = _COG_COLUMN[level]
    values = communes[["population"]].assign(key=communes[column]).dropna(subset=["key"])
    return values.groupby("key")["population"].sum(min_count=1).astype("Int64")


def _level_codes(territories: Territories, level: str) -> pd.Index:
    tables = {
        "commune": territories.cog.communes,
        "epci": territories.cog.epci,
        "departement": territories.cog.departements,
        "region": territories.cog.regions,
    }
    return pd.Index(tables[level]["code"].astype(str).unique())


# --- one level at once --------------------------------------------------------------------------


def _latest_period(frame: pd.DataFrame, dataset: Dataset) -> tuple[pd.DataFrame, int | None]:
    column = dataset.period_column
    if column is None or column not in frame.columns or frame.empty:
        return frame, None
    years = pd.to_numeric(frame[column], errors="coerce")
    latest = years.max()
    if pd.isna(latest):
        return frame.iloc[0:0], None
    return frame[(years == latest).fillna(False).to_numpy(dtype=bool)], int(latest)


def _aggregate_columns(
    frame: pd.DataFrame, aggregate: Aggregate, group: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values, row counts) per territory, one column per category for split aggregates. An
    aggregate whose columns the frame lacks is one column of missing values (and no rows)."""
    if any(column not in frame.columns for column in aggregate.columns()):
        empty = pd.DataFrame({aggregate.name: pd.Series(dtype="Float64")})
        return empty, empty
    counting = Aggregate(
        aggregate.name,
        aggregate.label,
        "count",
        where_column=aggregate.where_column,
        where_min=aggregate.where_min,
        by=aggregate.by,
    )
    values = aggregate.compute(frame, group=group)
    counts = counting.compute(frame, group=group)
    if aggregate.by is None:
        return values.to_frame(aggregate.name), counts.to_frame(aggregate.name)
    values = values.unstack(aggregate.by)
    counts = counts.unstack(aggregate.by)
    names = {category: f"{aggregate.name}:{category}" for category in counts.columns}
    return values.rename(columns=names), counts.rename(columns=names)


def indicator_table(
    frame: pd.DataFrame | Loaded,
    dataset: Dataset,
    level: str,
    *,
    territories: Territories | None = None,
    codes: Collection[str] | None = None,
    departements: Collection[str] | None = None,
) -> pd.DataFrame:
    """Every aggregate of ``dataset`` for the territories of ``level``, indexed by code
    (``code_<level>``).

    Columns: one per aggregate (``puissance_kw``), one per category for split aggregates
    (``puissance_kw_par_filiere:Solaire``); with ``territories``, ``population`` and one
    ``<column>_pour_10k`` per figure. Rows: ``codes`` if given, else every territory of the
    level in the COG (with ``territories``), else the codes found in the frame. Counts are
    ``Int64``, sums ``Float64``; missing is ``<NA>`` (see the module rule). ``attrs`` holds
    ``dataset``, ``level``, ``period`` and ``source`` (a :class:`SourceInfo`).
    """
    frame = getattr(frame, "frame", frame)
    group = f"code_{level}"
    check_level(level)
    rows, period = _latest_period(pd.DataFrame(frame), dataset)
    if group not in rows.columns:
        rows = rows.assign(**{group: pd.Series(pd.NA, index=rows.index, dtype=object)})
    parts = [_aggregate_columns(rows, aggregate, group) for aggregate in dataset.aggregates]
    values = pd.concat([part[0] for part in parts], axis=1)
    counts = pd.concat([part[1] for part in parts], axis=1)

    if codes is not None:
        index = pd.Index([str(code) for code in codes])
    elif territories is not None:
        index = _level_codes(territories, level)
    else:
        index = pd.Index(values.index.astype(str))
    index = index.rename(group)
    values = values.reindex(index)
    has_rows = counts.reindex(index=index, columns=values.columns).fillna(0).to_numpy() > 0
    is_covered = covered(dataset, rows, level, index, territories, departements=departements)
    zero = ~has_rows & is_covered[:, None]
    table = pd.DataFrame(index=index)
    kinds = {a.name: a.kind for a in dataset.aggregates}
    for position, column in enumerate(values.columns):
        series = values[column].where(~zero[:, position] | values[column].notna(), 0)
        if dataset.coverage == "national":
            series = series.mask(~is_covered)
        else:
            series = series.mask(~has_rows[:, position])
        if kinds[column.split(":", 1)[0]] == "sum":
            table[column] = pd.to_numeric(series).astype("Float64").round(DECIMALS)
        else:
            table[column] = pd.to_numeric(series).astype("Int64")
    figures = list(table.columns)
    if territories is not None:
        population = populations(territories, level).reindex(index)
        table["population"] = population.array
        people = population.astype("Float64").where(population > 0)
        for column in figures:
            ratio = table[column].astype("Float64") / people * PER_INHABITANTS
            table[f"{column}{PER_SUFFIX}"] = ratio.round(DECIMALS)
    table.attrs = {
        "dataset": dataset.id,
        "level": level,
        "period": period,
        "source": source_info(dataset, frame),
    }
    return table


# --- one territory, every dataset ---------------------------------------------------------------


def territory_indicators(
    frames: Mapping[str, pd.DataFrame | Loaded | None],
    level: str,
    code: str,
    *,
    territories: Territories,
    as_of: Mapping[str, date | tuple[date, str]] | None = None,
    departements: Mapping[str, Collection[str]] | None = None,
) -> list[Figure]:
    """The figures of one territory for every dataset of the catalogue, in catalogue order.

    ``frames`` maps dataset ids to loaded frames (missing or None: not loaded); ``as_of``
    gives a fallback data date per dataset (the file's, :func:`manifest_dates`);
    ``departements`` narrows the coverage of excerpts, per dataset id. Raises
    :class:`geo.errors.UnknownTerritoryError` for an unknown territory.
    """
    territories.nom(level, code)  # the French error for an unknown territory
    key = territories.communes_in(level, code)[0] if level == "commune" else code
    key = str(key).strip().upper()
    population = territories.population(level, key)
    figures: list[Figure] = []
    for dataset in CATALOGUE.values():
        loaded = frames.get(dataset.id)
        frame = getattr(loaded, "frame", loaded)
        source = source_info(dataset, frame, as_of=(as_of or {}).get(dataset.id))
        if frame is None:
            figures.extend(
                _figure(dataset, aggregate, None, None, None, population, source, REASON_NOT_LOADED)
                for aggregate in dataset.aggregates
            )
            continue
        narrowed = (departements or {}).get(dataset.id)
        table = indicator_table(
            frame, dataset, level, territories=territories, codes=[key], departements=narrowed
        )
        row = table.iloc[0]
        rows, _ = _latest_period(pd.DataFrame(frame), dataset)
        if dataset.coverage == "national":
            informed = bool(
                covered(dataset, rows, level, table.index, territories, departements=narrowed)[0]
            )
        else:
            group = f"code_{level}"
            informed = group in rows.columns and bool((rows[group] == key).any())
        for aggregate in dataset.aggregates:
            names = [
                column
                for column in table.columns
                if (column == aggregate.name or column.startswith(f"{aggregate.name}:"))
                and not column.endswith(PER_SUFFIX)
            ]
            if not names:  # a split aggregate with no category at all in the frame
                zero = dataset.coverage == "national" and informed
                value, per = (0.0, 0.0) if zero else (None, None)
                reason = None if zero else REASON_NOT_COVERED
                figures.append(
                    _figure(dataset, aggregate, None, value, per, population, source, reason)
                )
                continue
            for column in names:
                value = _plain(row[column])
                per = _plain(row[f"{column}{PER_SUFFIX}"])
                category = column.split(":", 1)[1] if ":" in column else None
                reason = None
                if value is None:
                    reason = REASON_MISSING if informed else REASON_NOT_COVERED
                figures.append(
                    _figure(dataset, aggregate, category, value, per, population, source, reason)
                )
    return figures


def _figure(
    dataset: Dataset,
    aggregate: Aggregate,
    category: str | None,
    value: float | None,
    per_10k: float | None,
    population: int | None,
    source: SourceInfo,
    reason: str | None,
) -> Figure:
    return Figure(
        dataset=dataset.id,
        indicator=aggregate.name,
        label=aggregate.label,
        category=category,
        value=value,
        unit=aggregate.unit,
        per_10k=per_10k,
        population=population,
        source=source,
        reason=reason,
    )


def _plain(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


__all__ = [
    "NOT_AVAILABLE",
    "Figure",
    "SourceInfo",
    "covered",
    "dataset_source",
    "dates_from_manifest",
    "manifest_dates",
    "reference_source",
    "indicator_table",
    "populations",
    "source_info",
    "territory_indicators",
]
