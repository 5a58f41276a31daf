"""Text for people: escaping of user text for Markdown and HTML, folding for comparisons, and
French number formatting. Imports nothing of ``geo``: every package may use it.

User text (titles, names, descriptions, anything read from a file or typed) is never
rendered as Markdown or HTML as it is: :func:`plain_markdown` shows it literally through
Markdown, :func:`safe_markdown` keeps its formatting but can run or fetch nothing,
:func:`html_text` escapes it for the HTML folium embeds in a JavaScript template literal.
"""

from __future__ import annotations

import html
import re

from unidecode import unidecode

# --- escaping ----------------------------------------------------------------------------------

_MARKDOWN_SPECIALS = "\\`*_[]<>$~|#"
_LINK = re.compile(r"(!?)\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(\S+).*$", re.MULTILINE)
_SAFE_URL = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)


def plain_markdown(text: object) -> str:
    """Data text shown through Markdown as itself (no link, image, HTML or emphasis)."""
    return "".join(f"\\{char}" if char in _MARKDOWN_SPECIALS else char for char in str(text))


def safe_markdown(text: object) -> str:
    """Markdown that keeps its formatting but can run nothing: HTML is shown as text and links
    or images other than http(s)/mailto keep only their text."""
    escaped = html.escape(str(text), quote=False)

    def link(match: re.Match[str]) -> str:
        bang, label, url = match.groups()
        if not bang and _SAFE_URL.match(url):
            return match.group(0)
        return label

    escaped = _LINK.sub(link, escaped)
    return _REFERENCE.sub(lambda m: m.group(0) if _SAFE_URL.match(m.group(1)) else "", escaped)


def html_text(value: object) -> str:
    """Text for HTML that folium embeds in a JavaScript template literal: the HTML specials
    and the literal's own (backtick, ``${``, backslash) are entities."""
    escaped = html.escape(str(value), quote=True)
    return escaped.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


# --- folding -----------------------------------------------------------------------------------

# Latin letters with accents → ASCII once, so that unidecode only sees what remains.
_LATIN = str.maketrans(
    {chr(c): unidecode(chr(c)) for r in ((0x80, 0x250), (0x2000, 0x2070)) for c in range(*r)}
)
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_SAINTS = {"st": "saint", "ste": "sainte"}


def ascii_fold(text: str) -> str:
    """``"Île-de-France"`` → ``"Ile-de-France"``: accents and ligatures as ASCII."""
    folded = text.translate(_LATIN)
    return folded if folded.isascii() else unidecode(folded)


def search_words(text: str) -> str:
    """Lower-case ASCII words separated by single spaces: what every text search compares."""
    return _NOT_WORD.sub(" ", ascii_fold(str(text)).lower()).strip()


def place_name_key(text: str) -> str:
    """:func:`search_words` where "st"/"ste" read "saint"/"sainte": how place names compare
    ("St-Martin-d'Hères" finds Saint-Martin-d'Hères)."""
    return " ".join(_SAINTS.get(word, word) for word in search_words(text).split())


def identifier(text: object) -> str:
    """``"Rénovation / sobriété"`` → ``"renovation_sobriete"``: how ids and labels match."""
    return _NOT_WORD.sub("_", ascii_fold(str(text)).lower()).strip("_")


# --- French numbers ----------------------------------------------------------------------------

NARROW_NBSP = "\u202f"


def french_number(value: float, *, decimals: int = 1) -> str:
    """``12345.6`` → ``"12 345,6"`` (narrow no-break space, decimal comma); whole numbers
    without decimals."""
    text = f"{value:,.{decimals}f}" if value % 1 else f"{value:,.0f}"
    return text.replace(",", NARROW_NBSP).replace(".", ",")


def french_count(count: int, singular: str, plural: str | None = None) -> str:
    """``"1 projet"``, ``"12 345 projets"``."""
    word = singular if abs(count) == 1 else (plural or f"{singular}s")
    return f"{french_number(count)} {word}"
