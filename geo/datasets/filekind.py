"""What a file given as a dataset really is, when it is not the text the loader reads.

People load what they downloaded: the ZIP a portal served, the spreadsheet they opened, the
JSON export instead of the CSV one, the folder it all went into. Reading those as CSV gives a
"header" of binary bytes and a list of missing columns that says nothing. :func:`not_text`
looks at the first bytes (the files' signatures) and names the kind of file, and
:func:`refuse_unless_text` turns that into one French sentence saying what to do instead.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from geo.errors import DatasetFormatError

_HEAD = 4096


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            mimetype = archive.read("mimetype").decode("ascii", "replace") if (
                "mimetype" in names) else ""  # fmt: skip
    except (zipfile.BadZipFile, OSError, KeyError):
        return "une archive ZIP (illisible ou incomplète)"
    if "xl/workbook.xml" in names:
        return "un classeur Excel (.xlsx) : enregistrez la feuille au format CSV (UTF-8)"
    if "spreadsheet" in mimetype:
        return "un classeur OpenDocument (.ods) : enregistrez la feuille au format CSV (UTF-8)"
    if "word/document.xml" in names or "text" in mimetype:
        return "un document de traitement de texte"
    files = [name for name in names if not name.endswith("/")]
    shown = ", ".join(files[:5]) + (" …" if len(files) > 5 else "")
    return (
        f"une archive ZIP ({len(files)} fichier(s) : {shown or 'vide'}) : décompressez-la et "
        "chargez le fichier qu'elle contient"
    )


def not_text(path: Path) -> str | None:
    """What ``path`` is when it is not a text table (CSV): a French noun phrase with, where
    it helps, what to do; None when it may be one."""
    path = Path(path)
    if path.is_dir():
        return "un dossier"
    with path.open("rb") as handle:
        head = handle.read(_HEAD)
    stripped = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    lower = stripped[:64].lower()
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(path)
    if head.startswith(b"\x1f\x8b"):
        return "un fichier compressé gzip (.gz) : décompressez-le d'abord"
    if head.startswith(b"%PDF"):
        return "un document PDF"
    if head.startswith(b"PAR1"):
        return "un fichier Parquet"
    if head.startswith(b"SQLite format 3\x00"):
        return "une base SQLite ou un GeoPackage"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "un classeur Excel ancien (.xls) : enregistrez la feuille au format CSV (UTF-8)"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "un texte encodé en UTF-16 : enregistrez-le en UTF-8"
    if stripped[:1] in (b"{", b"["):
        kind = "GeoJSON" if b"featurecollection" in head.lower() else "JSON"
        return f"un fichier {kind}"
    if lower.startswith((b"<!doctype html", b"<html")):
        return "une page web (HTML), pas le fichier de données : téléchargez le fichier lui-même"
    if lower.startswith(b"<?xml"):
        return "un fichier XML"
    if b"\x00" in head:
        return "un fichier binaire (ni texte ni tableau)"
    return None


def refuse_unless_text(path: Path, title: str, *, expected: str = "CSV") -> None:
    """Raise :class:`DatasetFormatError` naming what ``path`` is when it cannot be the
    ``expected`` text file of the dataset ``title``."""
    kind = not_text(path)
    if kind is None:
        return
    if Path(path).is_dir():
        inside = sorted(child.name for child in Path(path).iterdir() if child.is_file())
        shown = ", ".join(inside[:8]) + (" …" if len(inside) > 8 else "")
        msg = (
            f"{path} est un dossier, pas un fichier : indiquez le fichier {expected} du jeu "
            f"« {title} » à charger (le dossier contient : {shown or 'aucun fichier'})."
        )
        raise DatasetFormatError(msg)
    msg = (
        f"{Path(path).name} n'est pas un fichier {expected} : c'est {kind}. Le jeu « {title} » "
        f"se charge depuis son fichier {expected}."
    )
    raise DatasetFormatError(msg)


def printable(name: object, limit: int = 40) -> str:
    """A column name as it can be shown: control characters replaced, long names cut."""
    text = "".join(char if char.isprintable() else "�" for char in str(name))
    return text if len(text) <= limit else f"{text[:limit]}…"


__all__ = ["not_text", "printable", "refuse_unless_text"]
