"""A project's impact figures as people read them: a label and the value with its unit.

The model keeps the figures as plain numbers (``power_kwc``, ``energy_mwh_year``,
``charging_points``, ``citizen_shareholders``, ``budget_eur``); the sheet, the portrait's list
and any export for people show only those present, in this order, in French.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from geo.text import french_number


@dataclass(frozen=True)
class ImpactFigure:
    field: str
    label: str
    #: The unit after the number; counts carry none (the label says what is counted).
    unit: str
    decimals: int = 1


IMPACT_FIGURES = (
    ImpactFigure("power_kwc", "Puissance installée", "kWc"),
    ImpactFigure("energy_mwh_year", "Production", "MWh/an"),
    ImpactFigure("charging_points", "Points de recharge", "", 0),
    ImpactFigure("citizen_shareholders", "Actionnaires citoyens", "", 0),
    ImpactFigure("budget_eur", "Budget", "€", 0),
)


def _number(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def impact_lines(project: Mapping[str, object]) -> list[tuple[str, str]]:
    """``[("Puissance installée", "420 kWc"), ("Budget", "1 200 000 €")]``: the figures the
    project gives (missing or empty ones are left out, never shown as 0)."""
    lines = []
    for figure in IMPACT_FIGURES:
        number = _number(project.get(figure.field))
        if number is None:
            continue
        text = french_number(number, decimals=figure.decimals)
        lines.append((figure.label, f"{text}\u00a0{figure.unit}" if figure.unit else text))
    return lines
