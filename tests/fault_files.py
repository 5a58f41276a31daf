"""Write the small faulty files of the loader tests the way real tools write them."""

from __future__ import annotations

from pathlib import Path


def write_lines(path: Path, lines: list[str], *, encoding: str, newline: str) -> Path:
    """``lines`` joined by ``newline`` in ``encoding`` (``utf-8-sig`` writes a BOM). Newlines
    inside quoted fields become ``newline`` too, as Windows tools write them."""
    body = "\n".join(lines) + "\n"
    path.write_bytes(body.replace("\n", newline).encode(encoding))
    return path
