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
from functools import cache
from typing import Any

from unidecode import unidecode

# --- escaping ----------------------------------------------------------------------------------

#: CommonMark shows a backslash-escaped ASCII punctuation character as itself. Escaping them
#: all leaves no construct to any Markdown renderer: no link, image, emphasis, heading or list,
#: no GFM autolink (``www.x.fr``, ``a@b.fr``) and no Streamlit extension (``:red[…]``, ``$…$``).
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
#: Link schemes a description may use; anything else (javascript:, data:, relative) is text.
SAFE_SCHEMES = ("http", "https", "mailto")


#: Written as entities rather than escaped, so no ``<`` or ``&`` is left in the Markdown.
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


#: GFM finds bare URLs and e-mails in the *parsed* text, after escapes are resolved (remark's
#: transform): an invisible word joiner after ``http``/``www`` and before ``@`` breaks them.
_AUTOLINK_START = re.compile(r"(?i)\b(https?(?=:)|www(?=\.))")
WORD_JOINER = "\u2060"


def plain_markdown(text: object) -> str:
    """Data text shown through Markdown as itself (no link, image, HTML or emphasis; a bare
    URL or e-mail is not made a link)."""
    shown = _AUTOLINK_START.sub(rf"\1{WORD_JOINER}", str(text)).replace("@", f"{WORD_JOINER}@")
    return "".join(
        _ENTITIES.get(char) or (f"\\{char}" if char in _ASCII_PUNCTUATION else char)
        for char in shown
    )


def safe_markdown(text: object, *, headings: bool = True) -> str:
    """Markdown that keeps its formatting but can run or fetch nothing.

    The text is parsed (markdown-it, CommonMark with GFM strikethrough, raw HTML off) and
    written again from an allow-list of nodes: paragraphs, headings, emphasis, strikethrough,
    inline and block code, lists, blockquotes, rules, line breaks, and links whose scheme is
    http(s) or mailto. Every text is escaped (:func:`plain_markdown`), so the renderer that
    reads the result finds no construct but those written here; images keep their text only,
    HTML shows as text. ``headings=False``: a heading is written as a paragraph (a card whose
    own title is smaller than the user's ``## heading``)."""
    from markdown_it.tree import SyntaxTreeNode

    tree = SyntaxTreeNode(_markdown_parser().parse(str(text)))
    return "\n\n".join(filter(None, (_block(node, headings) for node in tree.children)))


@cache
def _markdown_parser() -> Any:
    from markdown_it import MarkdownIt

    # maxNesting (20 in this preset) bounds the depth of the tree, hence our recursion.
    return MarkdownIt("commonmark", {"html": False}).enable("strikethrough")


def _block(node: Any, headings: bool = True) -> str:
    kind = node.type
    if kind == "paragraph" or (kind == "heading" and not headings):
        return _inline(node)
    if kind == "heading":
        return f"{'#' * int(node.tag[1])} {_inline(node)}"
    if kind == "blockquote":
        inner = "\n\n".join(filter(None, (_block(child, headings) for child in node.children)))
        return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
    if kind in ("bullet_list", "ordered_list"):
        return _list(node, headings)
    if kind in ("fence", "code_block"):
        return _fence(node.content, node.info if kind == "fence" else "")
    if kind == "hr":
        return "***"
    return plain_markdown(node.content) if node.content else _inline(node)


def _list(node: Any, headings: bool = True) -> str:
    start = int(node.attrs.get("start", 1)) if node.type == "ordered_list" else 0
    tight = all(
        child.hidden for item in node.children for child in item.children
        if child.type == "paragraph"
    )  # fmt: skip
    items = []
    for number, item in enumerate(node.children, start=start):
        marker = f"{number}." if node.type == "ordered_list" else "-"
        inner = ("\n" if tight else "\n\n").join(
            filter(None, (_block(child, headings) for child in item.children))
        )
        pad = " " * (len(marker) + 1)
        lines = inner.split("\n") if inner else [""]
        first, rest = lines[0], [f"{pad}{line}" if line else "" for line in lines[1:]]
        items.append("\n".join([f"{marker} {first}".rstrip(), *rest]))
    return ("\n" if tight else "\n\n").join(items)


def _fence(content: str, info: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    fence = "`" * max(3, longest + 1)
    language = info.strip().split(" ")[0] if info else ""
    language = language if re.fullmatch(r"[A-Za-z0-9_+-]{1,30}", language) else ""
    return f"{fence}{language}\n{content.rstrip(chr(10))}\n{fence}"


def _inline(node: Any) -> str:
    parts = []
    for child in node.children:
        kind = child.type
        if kind == "inline":
            parts.append(_inline(child))
        elif kind == "text":
            parts.append(plain_markdown(child.content))
        elif kind == "softbreak":
            parts.append("\n")
        elif kind == "hardbreak":
            parts.append("\\\n")
        elif kind in _EMPHASIS:
            parts.append(f"{_EMPHASIS[kind]}{_inline(child)}{_EMPHASIS[kind]}")
        elif kind == "code_inline":
            parts.append(_code_span(child.content))
        elif kind == "link":
            parts.append(_link(child))
        else:  # images (remote content) and anything unknown: their text only
            parts.append(_inline(child) if child.children else plain_markdown(child.content))
    return "".join(parts)


_EMPHASIS = {"em": "*", "strong": "**", "s": "~~"}


def _code_span(content: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if content.startswith(("`", " ")) or content.endswith(("`", " ")) else ""
    return f"{ticks}{pad}{content}{pad}{ticks}"


def _link(node: Any) -> str:
    label = _inline(node)
    href = str(node.attrs.get("href", ""))
    scheme = href.split(":", 1)[0].lower() if ":" in href else ""
    if scheme not in SAFE_SCHEMES or not label:
        return label
    # markdown-it percent-encoded the destination; brackets and blanks cannot remain in it.
    href = "".join(f"%{ord(c):02X}" if c in "()<> \\\n" else c for c in href)
    return f"[{label}]({href})"


#: A cell starting with one of these is a formula to a spreadsheet (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """A text cell that a spreadsheet shows as text: ``'`` before a formula (``=…``, ``+…``,
    ``-…``, ``@…``, tab, carriage return), as OWASP advises. A cell already quoted so gets one
    quote more, so that :func:`from_spreadsheet_text` gives back exactly what was written."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_TRIGGERS) else text


def from_spreadsheet_text(text: str) -> str:
    """What :func:`spreadsheet_text` was given (one quote less before a formula)."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


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


_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre")  # fmt: skip


def french_date(value: object) -> str:
    """``"2025-03-01"`` (or a date) → ``"1er mars 2025"``; anything else as it is."""
    text = str(value or "")[:10]
    try:
        year, month, day = (int(part) for part in text.split("-"))
        name = _MONTHS[month - 1]
    except (ValueError, IndexError):
        return str(value or "")
    return f"{'1er' if day == 1 else day} {name} {year}"


def french_count(count: int, singular: str, plural: str | None = None) -> str:
    """``"0 projet"``, ``"1 projet"``, ``"12 345 projets"``: 0 and 1 take the singular in French."""
    word = singular if abs(count) < 2 else (plural or f"{singular}s")
    return f"{french_number(count)} {word}"


def french_count_of(count: int, unit: str) -> str:
    """A count with a unit written in the plural, as the catalogue declares units: ``"0 lieu"``,
    ``"1 point de charge"``, ``"18 lieux"`` (the unit's first word agrees with the count)."""
    if abs(count) >= 2:
        return f"{french_number(count)} {unit}"
    first, space, rest = unit.partition(" ")
    if first.endswith(("eux", "aux")):
        first = first[:-1]
    elif first.endswith("s") and len(first) > 1:
        first = first[:-1]
    return f"{french_number(count)} {first}{space}{rest}"
