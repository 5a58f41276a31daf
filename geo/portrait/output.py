"""Writing a sheet to a file: HTML or PDF by the file's extension, atomically (a temporary
file beside the target, renamed into place: never a half-written sheet)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from geo.errors import SheetError
from geo.portrait.pdf import sheet_pdf

FORMATS = {".html": "html", ".htm": "html", ".pdf": "pdf"}


def sheet_format(path: Path) -> str:
    """``html`` or ``pdf`` from the file's extension, or :class:`SheetError` in French."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        msg = (
            f"Format de fiche inconnu pour « {path.name} » : donnez un fichier .html ou .pdf "
            "(par exemple --out fiche.pdf)."
        )
        raise SheetError(msg)
    return kind


def sheet_bytes(html: str, kind: str) -> bytes:
    return sheet_pdf(html) if kind == "pdf" else html.encode("utf-8")


def write_sheet(html: str, path: Path) -> int:
    """Write the sheet as ``path`` says (HTML or PDF); its size in bytes."""
    data = sheet_bytes(html, sheet_format(path))
    partial = path.with_name(f".{path.name}.partiel")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        if error.errno == errno.ENOSPC:
            msg = f"Plus de place sur le disque pour écrire « {path.name} » : rien n'a été écrit."
        elif isinstance(error, PermissionError):
            msg = f"Pas le droit d'écrire « {path.name} » ici : rien n'a été écrit."
        else:
            msg = f"Impossible d'écrire « {path.name} » ({error.strerror}) : rien n'a été écrit."
        raise SheetError(msg) from error
    return len(data)
