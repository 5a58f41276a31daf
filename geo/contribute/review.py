"""What a moderator reads of a project before deciding: every field a contributor can fill,
in French (vocabularies by their labels, figures with their units, organisations with their
type and SIREN), as plain text for the inbox to show as such (never as Markdown or HTML).

:func:`facts` lists the filled fields of a project in the form's order (the title, summary,
description, place and lessons learned are drawn on their own); :func:`field_text` is one
field's value as read, for those lines and for the list of what a pending change changes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from geo.contribute.form import upper_first
from geo.projects.impact import IMPACT_FIGURES
from geo.projects.model import (
    CARRIER_TYPES,
    FIELD_LABELS,
    SCOPES,
    STAGES,
    THEMES,
    Project,
    categories,
)
from geo.text import french_count, french_date, french_number

#: The fields :func:`facts` lists, in the form's order; the figures follow, as the sheet
#: names them (:data:`geo.projects.impact.IMPACT_FIGURES`).
FACT_FIELDS = ("themes", "categories", "stage", "start_year", "scope", "carriers", "partners",
               "website", "commons", "commons_produced", "licence", "contact_email")  # fmt: skip
PRIVATE = {"contact_email": "E-mail de contact (privé, jamais publié)"}
_FIGURES = {figure.field: figure for figure in IMPACT_FIGURES}


@dataclass(frozen=True)
class Fact:
    label: str
    text: str  # plain text, user text included: shown literally


def _empty(value: Any) -> bool:
    if isinstance(value, float) and math.isnan(value):
        return True
    return value is None or value == "" or value == [] or value == ()


def _get(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def organisations_text(rows: Iterable[Any]) -> str:
    """``"Énergie citoyenne (association, SIREN 123456789) ; Ville (collectivité)"``."""
    out = []
    for row in rows:
        name = str(_get(row, "name") or "").strip()
        if not name:
            continue
        kind = CARRIER_TYPES.get(str(_get(row, "type")), "") if _get(row, "type") else ""
        details = [kind[:1].lower() + kind[1:]] if kind else []
        if _get(row, "siren"):
            details.append(f"SIREN {_get(row, 'siren')}")
        out.append(f"{name} ({', '.join(details)})" if details else name)
    return " ; ".join(out)


def field_text(name: str, value: Any) -> str:
    """One field's value as a moderator reads it; ``"—"`` when empty."""
    if _empty(value):
        return "—"
    if name == "themes":
        return ", ".join(THEMES.get(v, v) for v in value)
    if name == "categories":
        table = categories()
        return ", ".join(table[v]["label"] if v in table else str(v) for v in value)
    if name == "stage":
        return STAGES.get(value, str(value))
    if name == "scope":
        return SCOPES.get(value, str(value))
    if name in ("carriers", "partners"):
        return organisations_text(value) or "—"
    if name == "lessons":
        dates = sorted(str(_get(lesson, "date") or "") for lesson in value)
        return f"{french_count(len(value), 'retour')} (le dernier du {french_date(dates[-1])})"
    if name in _FIGURES:
        figure = _FIGURES[name]
        text = french_number(float(value), decimals=figure.decimals)
        return f"{text}\u00a0{figure.unit}" if figure.unit else text
    if name in ("lat", "lon"):
        return french_number(float(value), decimals=5)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def field_label(name: str) -> str:
    """``"Thèmes"``, ``"Puissance installée"``: a field's name at the head of a line."""
    if name in _FIGURES:
        return _FIGURES[name].label
    return PRIVATE.get(name) or upper_first(FIELD_LABELS.get(name, name))


def facts(project: Project) -> list[Fact]:
    """Every filled field of :data:`FACT_FIELDS`, then the impact figures given."""
    names = [*FACT_FIELDS, *_FIGURES]
    return [
        Fact(field_label(name), field_text(name, getattr(project, name)))
        for name in names
        if not _empty(getattr(project, name))
    ]
