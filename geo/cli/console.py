"""Console output shared by the command-line entry points."""

from __future__ import annotations

import json
import sys
from typing import Any

#: The help of every ``--json`` option.
JSON_HELP = "affiche le résultat en JSON sur la sortie standard"


def print_json(payload: Any) -> None:
    """Write ``payload`` to stdout as indented JSON (UTF-8 kept; unknown types as ``str``)."""
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
