"""A column mapping for files whose columns have other names (``datasets load --mapping``).

The mapping is the one ``projects import --mapping`` takes: a JSON object ``{"their column":
"our column"}``, ``null`` ignoring a column; keys match the file's names without regard to case,
accents, spaces or punctuation. It is active for one load (:func:`renamed_columns`, a context
variable, so the loaders keep their one signature) and applied where every reader matches its
header (:func:`geo.datasets.csvfile.canonical_names`, used by the CSV and JSON readers, and
the GeoJSON reader of cycle lanes).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.errors import GeoError
from geo.text import identifier

#: What a column mapped to ``null`` is renamed to: no reader knows it.
IGNORED = "(colonne ignorée) "


@dataclass
class _Active:
    mapping: dict[str, str | None]
    used: set[str] = field(default_factory=set)


_ACTIVE: ContextVar[_Active | None] = ContextVar("dataset_column_mapping", default=None)


def check_column_mapping(mapping: object) -> dict[str, str | None]:
    """``mapping`` as ``{their column: our column or None}``, or a French :class:`GeoError`."""
    if not isinstance(mapping, Mapping):
        msg = 'La correspondance de colonnes doit être un objet JSON {"colonne": "colonne"}.'
        raise GeoError(msg)
    bad = [
        key for key, value in mapping.items() if value is not None and not isinstance(value, str)
    ]
    if bad:
        msg = (
            "Correspondance de colonnes : chaque valeur est un nom de colonne ou null "
            f"(à revoir : {', '.join(map(str, bad))})."
        )
        raise GeoError(msg)
    targets = [value for value in mapping.values() if value is not None]
    twice = sorted({value for value in targets if targets.count(value) > 1})
    if twice:
        msg = f"Plusieurs colonnes correspondent à la même colonne : {', '.join(twice)}."
        raise GeoError(msg)
    return {str(key): value for key, value in mapping.items()}


def read_column_mapping(path: Path | str) -> dict[str, str | None]:
    """The mapping of a JSON file, checked (French errors)."""
    try:
        data: Any = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        msg = f"Fichier de correspondance illisible : {path} ({error})."
        raise GeoError(msg) from error
    return check_column_mapping(data)


@contextlib.contextmanager
def renamed_columns(mapping: Mapping[str, str | None] | None) -> Iterator[_Active | None]:
    """Apply ``mapping`` to every header read inside the block; yields what was used."""
    if not mapping:
        yield None
        return
    active = _Active({identifier(key): value for key, value in mapping.items()})
    token = _ACTIVE.set(active)
    try:
        yield active
    finally:
        _ACTIVE.reset(token)


def rename(names: list[str]) -> list[str]:
    """The header with the active mapping applied (unchanged without one)."""
    active = _ACTIVE.get()
    if active is None:
        return names
    out = []
    for name in names:
        key = identifier(str(name).replace("\ufeff", ""))
        if key in active.mapping:
            active.used.add(key)
            target = active.mapping[key]
            out.append(f"{IGNORED}{name}" if target is None else target)
        else:
            out.append(name)
    return out


def unused(active: _Active | None, mapping: Mapping[str, str | None] | None) -> list[str]:
    """The mapping's columns that no header had."""
    if active is None or not mapping:
        return []
    return [key for key in mapping if identifier(key) not in active.used]


__all__ = ["check_column_mapping", "read_column_mapping", "rename", "renamed_columns", "unused"]
