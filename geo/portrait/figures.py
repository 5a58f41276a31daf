"""The indicators of one territory and how it compares: to its parent, to France, to the
touching territories of its level (neighbours) and to those of its population class (peers).

The territory's own figures are :func:`geo.indicators.territory_indicators` (value, per
10,000 inhabitants, the reason of a missing figure); the comparisons read the tables the
:class:`~geo.portrait.context.PortraitContext` computed once per dataset and level.

A rank (:class:`Rank`, one function: :func:`rank_among`) is 1 + the number of compared
territories whose figure is larger (ties share a rank), among those whose figure is known;
none when no other is known or when every figure is 0. ``by_value`` compares values,
``by_per_10k`` figures per 10,000 inhabitants. Lengths declared in metres are given in
kilometres.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geo import indicators
from geo.datasets.catalogue import CATALOGUE, Dataset
from geo.indicators import PER_SUFFIX, Figure, SourceInfo
from geo.portrait.context import PortraitContext
from geo.text import french_count, french_count_of, french_number

#: Units shown in another unit: (unit, factor).
DISPLAY_UNITS = {"m": ("km", 0.001)}
#: How many peers around the territory a chart shows (the class may hold hundreds).
PEER_WINDOW = 5

#: The heading of the neighbours' rank in the portrait's indicator tables (page and sheet):
#: ranked per 10,000 inhabitants, as the comparison chart is by default (a raw count puts
#: the largest territory first).
RANK_HEADING = "Rang parmi les voisins (pour 10 000 hab.)"


@dataclass(frozen=True)
class Place:
    level: str
    code: str
    nom: str

    def to_dict(self) -> dict[str, str]:
        return {"level": self.level, "code": self.code, "nom": self.nom}


@dataclass(frozen=True)
class Compared:
    """Another territory's figure (``place`` None: France)."""

    place: Place | None
    value: float | None
    per_10k: float | None


#: The others a rank is among, singular and plural.
NEIGHBOURS = ("voisin", "voisins")
CLASS_MEMBERS = ("territoire de la strate", "territoires de la strate")
#: Why a territory has no rank (:attr:`Rank.reason`).
NO_FIGURE = "missing"
NO_OTHERS = "no_others"
ALL_ZERO = "all_zero"


@dataclass(frozen=True)
class Rank:
    """The territory's place among others by one figure: 1 + how many have a larger one
    (ties share it), among those whose figure is known.

    There is no rank (``position`` None, ``reason`` says why) when the territory's figure
    is missing, when no other has one, or when every figure is 0: "1ᵉʳ ex æquo" among zeros
    says nothing. The page, the sheet and ``territory sheet --json`` all read this one rank.
    """

    position: int | None
    #: How many are ranked, the territory included.
    of: int
    #: How many of the others have the territory's very figure (shared rank).
    ties: int = 0
    reason: str | None = None

    def text(self, noun: tuple[str, str] = NEIGHBOURS) -> str | None:
        """``"3ᵉ sur 9 (avec 8 voisins renseignés)"``, ``"1ᵉʳ ex æquo …"`` when others have
        the same figure; None without a rank. ``noun``: the others, singular and plural."""
        if self.position is None:
            return None
        ordinal = ("1ᵉʳ" if self.position == 1 else f"{self.position}ᵉ") + (
            " ex æquo" if self.ties else ""
        )
        singular, plural = noun
        others = french_count(self.of - 1, f"{singular} renseigné", f"{plural} renseignés")
        return f"{ordinal} sur {self.of} (avec {others})"

    def cell(self, noun: tuple[str, str] = NEIGHBOURS) -> str:
        """What a table's rank column says: the rank, else why there is none (``—`` when the
        figure itself is missing: the remark says why)."""
        if self.position is not None:
            return self.text(noun) or ""
        if self.reason == ALL_ZERO:
            return "pas de rang : tous à 0"
        if self.reason == NO_OTHERS:
            return f"pas de rang : aucun {noun[0]} renseigné"
        return "—"


def rank_among(own: float | None, others: np.ndarray) -> Rank:
    """The territory's :class:`Rank` by ``own`` among ``others`` (NaN: not known)."""
    known = others[~np.isnan(others)]
    if own is None:
        return Rank(None, int(known.size), reason=NO_FIGURE)
    if known.size == 0:
        return Rank(None, 1, reason=NO_OTHERS)
    if own == 0 and not known.any():
        return Rank(None, int(known.size) + 1, reason=ALL_ZERO)
    ties = int(np.isclose(known, own, rtol=1e-9, atol=1e-9).sum())
    return Rank(1 + int((known > own).sum()), int(known.size) + 1, ties)


@dataclass(frozen=True)
class Group:
    """The territory among others: neighbours, or its population class."""

    label: str
    #: The others, best first by figure per 10,000 inhabitants then by value (all the
    #: neighbours; a window of the class around the territory).
    members: tuple[Compared, ...]
    count: int
    by_value: Rank = Rank(None, 0, reason=NO_FIGURE)
    by_per_10k: Rank = Rank(None, 0, reason=NO_FIGURE)
    median: float | None = None
    median_per_10k: float | None = None
    #: For a window of the class: the others around the territory by value, best first
    #: (``members`` is the window by figure per 10,000 inhabitants). Empty: ``members``.
    value_members: tuple[Compared, ...] = ()

    def ranking(self, *, per_10k: bool) -> Rank:
        return self.by_per_10k if per_10k else self.by_value

    def shown(self, *, per_10k: bool) -> tuple[Compared, ...]:
        """The others a chart shows for this figure."""
        return self.members if per_10k or not self.value_members else self.value_members

    @property
    def rank(self) -> int | None:
        return self.by_value.position

    @property
    def of(self) -> int:
        return self.by_value.of

    @property
    def rank_per_10k(self) -> int | None:
        return self.by_per_10k.position

    @property
    def of_per_10k(self) -> int:
        return self.by_per_10k.of

    def rank_text(self, *, per_10k: bool = False, noun: tuple[str, str] = NEIGHBOURS) -> str | None:
        """:meth:`Rank.text` of the figure (per 10,000 inhabitants or the value)."""
        return self.ranking(per_10k=per_10k).text(noun)


@dataclass(frozen=True)
class Indicator:
    """One figure of the territory with its comparisons."""

    id: str
    dataset: str
    label: str
    category: str | None
    unit: str | None
    value: float | None
    per_10k: float | None
    reason: str | None
    source: SourceInfo
    parent: Compared | None
    national: Compared
    national_communes: int
    neighbours: Group
    peers: Group
    #: Shown as a chart in the sheet (one figure per aggregate, not each category split).
    headline: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def available(self) -> bool:
        return self.value is not None

    @property
    def informative(self) -> bool:
        """Whether a chart would show anything: some compared figure is known and not 0."""
        values = [self.per_10k, *(m.per_10k for m in self.neighbours.members)]
        return any(v for v in values if v is not None)

    @property
    def title(self) -> str:
        return f"{self.label} — {self.category}" if self.category else self.label

    def text(self, value: float | None = None, *, per_10k: bool = False) -> str:
        """A figure in French with its unit (``non disponible`` when missing)."""
        shown = (self.per_10k if per_10k else self.value) if value is None else value
        if shown is None:
            return indicators.NOT_AVAILABLE
        suffix = " pour 10 000 hab." if per_10k else ""
        if self.unit and float(shown).is_integer():
            # A whole count agrees with its unit: "1 site", "0 lieu", "18 lieux".
            return french_count_of(int(shown), self.unit) + suffix
        number = french_number(shown, decimals=2 if per_10k else 1)
        unit = f" {self.unit}" if self.unit else ""
        return f"{number}{unit}{suffix}"


def _display(unit: str | None) -> tuple[str | None, float]:
    return DISPLAY_UNITS.get(unit or "", (unit, 1.0))


def _scaled(value: Any, factor: float) -> float | None:
    if value is None or pd.isna(value):
        return None
    return round(float(value) * factor, 6)


def _median(values: np.ndarray) -> float | None:
    known = values[~np.isnan(values)]
    return float(np.median(known)) if known.size else None


def _group(
    label: str,
    rows: pd.DataFrame | None,
    column: str,
    codes: Sequence[str],
    own: tuple[float | None, float | None],
    factor: float,
    places: dict[str, Place],
    *,
    window: int | None = None,
) -> Group:
    """``rows``: the table's rows of ``codes``, in that order."""
    if rows is None or not codes or column not in rows.columns:
        return Group(label, (), len(codes))
    values = rows[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan) * factor
    per = (
        rows[f"{column}{PER_SUFFIX}"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        * factor
    )
    by_per = np.lexsort((-np.nan_to_num(values, nan=-np.inf), -np.nan_to_num(per, nan=-np.inf)))
    by_value = np.lexsort((-np.nan_to_num(per, nan=-np.inf), -np.nan_to_num(values, nan=-np.inf)))

    def compared(order: np.ndarray) -> tuple[Compared, ...]:
        return tuple(
            Compared(
                places[codes[i]],
                None if np.isnan(values[i]) else float(values[i]),
                None if np.isnan(per[i]) else float(per[i]),
            )
            for i in order
        )

    value_members: tuple[Compared, ...] = ()
    if window is not None:
        # The class around the territory: those just above and just below it, by each figure.
        by_per = _around(by_per, per, own[1], window)
        value_members = compared(_around(by_value, values, own[0], window))
    return Group(
        label,
        compared(by_per),
        len(codes),
        by_value=rank_among(own[0], values),
        by_per_10k=rank_among(own[1], per),
        median=_median(values),
        median_per_10k=_median(per),
        value_members=value_members,
    )


def _around(order: np.ndarray, figures: np.ndarray, own: float | None, window: int) -> np.ndarray:
    """The ``window`` others just above the territory's figure and the ``window`` just below
    (fewer at an end of the ranking), in ``order``."""
    above = int((figures > own).sum()) if own is not None else 0
    return order[max(above - window, 0) : above + window]


def _headlines(dataset: Dataset, columns: list[str]) -> set[str]:
    """One chart per aggregate: the plain ones; for a dataset whose aggregates are all split
    by category (consumption by energy), the categories of its first aggregate."""
    plain = {a.name for a in dataset.aggregates if a.by is None}
    if plain:
        return plain
    first = dataset.aggregates[0].name if dataset.aggregates else ""
    return {c for c in columns if c.startswith(f"{first}:")}


@dataclass(frozen=True)
class _Rows:
    """One dataset's table rows for the territory's comparisons, taken once per dataset."""

    parent: pd.Series | None
    neighbours: pd.DataFrame | None
    peers: pd.DataFrame | None
    columns: list[str]


def _dataset_rows(
    context: PortraitContext,
    dataset: Dataset,
    level: str,
    parent: Place | None,
    neighbour_codes: list[str],
    peer_codes: list[str],
) -> _Rows:
    table = context.table(dataset, level)
    if table is None:
        return _Rows(None, None, None, [])
    parent_row = None
    if parent is not None:
        parent_table = context.table(dataset, parent.level)
        if parent_table is not None:
            parent_row = parent_table.reindex([parent.code]).iloc[0]
    return _Rows(
        parent_row,
        table.reindex(neighbour_codes),
        table.reindex(peer_codes),
        list(table.columns),
    )


def indicator_rows(
    context: PortraitContext,
    level: str,
    code: str,
    *,
    parent: Place | None,
    neighbours: Sequence[Place],
    peers: Sequence[Place],
    peers_label: str,
) -> list[Indicator]:
    """Every figure the catalogue declares, for the territory ``level:code`` (current code),
    each with its comparisons; in catalogue order."""
    figures = indicators.territory_indicators(
        context.frames,
        level,
        code,
        territories=context.territories,
        as_of=context.as_of,
    )
    neighbour_codes = [p.code for p in neighbours]
    peer_codes = [p.code for p in peers]
    places = {p.code: p for p in [*neighbours, *peers]}
    taken: dict[str, _Rows] = {}
    result: list[Indicator] = []
    for figure in figures:
        dataset = CATALOGUE[figure.dataset]
        if dataset.id not in taken:
            taken[dataset.id] = _dataset_rows(
                context, dataset, level, parent, neighbour_codes, peer_codes
            )
        result.append(
            _indicator(
                context,
                dataset,
                figure,
                taken[dataset.id],
                parent,
                (neighbour_codes, peer_codes),
                places,
                peers_label,
            )
        )
    return result


def _indicator(
    context: PortraitContext,
    dataset: Dataset,
    figure: Figure,
    rows: _Rows,
    parent: Place | None,
    codes: tuple[list[str], list[str]],
    places: dict[str, Place],
    peers_label: str,
) -> Indicator:
    column = figure.indicator + (f":{figure.category}" if figure.category else "")
    unit, factor = _display(figure.unit)
    value, per = _scaled(figure.value, factor), _scaled(figure.per_10k, factor)
    if figure.reason == indicators.REASON_NOT_LOADED and dataset.id in context.problems:
        reason = f"{figure.reason} ({context.problems[dataset.id]})"
    else:
        reason = figure.reason
    parent_figure = None
    if parent is not None:
        parent_figure = Compared(parent, None, None)
        if rows.parent is not None and column in rows.parent.index:
            parent_figure = Compared(
                parent,
                _scaled(rows.parent[column], factor),
                _scaled(rows.parent[f"{column}{PER_SUFFIX}"], factor),
            )
    national = context.national(dataset)
    national_figure, communes = Compared(None, None, None), 0
    if national is not None and column in national.value.index:
        total = national.value[column]
        people = national.population[column]
        national_figure = Compared(
            None,
            _scaled(total, factor),
            _scaled(total / people * indicators.PER_INHABITANTS, factor) if people > 0 else None,
        )
        communes = int(national.communes[column])
    own = (value, per)
    neighbour_codes, peer_codes = codes
    headlines = _headlines(dataset, rows.columns)
    return Indicator(
        id=f"{dataset.id}.{column}",
        dataset=dataset.id,
        label=figure.label,
        category=figure.category,
        unit=unit,
        value=value,
        per_10k=per,
        reason=reason,
        source=context.source(dataset),
        parent=parent_figure,
        national=national_figure,
        national_communes=communes,
        neighbours=_group("voisins", rows.neighbours, column, neighbour_codes, own, factor, places),
        peers=_group(
            peers_label, rows.peers, column, peer_codes, own, factor, places, window=PEER_WINDOW
        ),
        headline=(figure.category is None and figure.indicator in headlines) or column in headlines,
    )
