"""Console output shared by the command-line entry points."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

#: The help of every ``--json`` option.
JSON_HELP = "affiche le résultat en JSON sur la sortie standard"


def print_json(payload: Any) -> None:
    """Write ``payload`` to stdout as indented JSON (UTF-8 kept; unknown types as ``str``)."""
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def print_result(result: Mapping[str, Any], *, as_json: bool) -> None:
    """A command's result: JSON with ``--json``, else one ``key: value`` line per entry."""
    if as_json:
        print_json(result)
        return
    for key, value in result.items():
        print(f"{key}: {value}")
