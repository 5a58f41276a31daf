"""geo.text: user text shown through Markdown and HTML, folding, French numbers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from geo.text import WORD_JOINER, french_count, french_count_of, plain_markdown, safe_markdown


@pytest.mark.parametrize(
    ("text", "absent", "present"),
    [
        ("<script>alert(1)</script>", "<script>", "&lt;script&gt;"),
        ('<img src=x onerror="alert(1)">', "<img", "&lt;img"),
        ("[clic](javascript:alert(1))", "javascript:", "clic"),
        ("[clic]( JavaScript:alert(1) )", "JavaScript:", "clic"),
        ("![x](data:text/html;base64,xx)", "data:", "x"),
        ("[a]: javascript:alert(1)", "javascript:", ""),
        ("<javascript:alert(1)>", "<javascript", "&lt;javascript"),
    ],
)
def test_safe_markdown_neutralises_html_and_scripts(text: str, absent: str, present: str) -> None:
    safe = safe_markdown(text)
    assert absent not in safe
    assert present in safe


def test_safe_markdown_keeps_formatting_and_web_links() -> None:
    text = "**Gras** et [site](https://exemple.fr)\n\n- point"
    assert safe_markdown(text) == text


def test_plain_markdown_shows_text_as_itself() -> None:
    assert plain_markdown("[a](b) *c*") == "\\[a\\]\\(b\\) \\*c\\*"


# --- sanitising by parsing (issue 11) ----------------------------------------------------------

_ALLOWED_NODES = {
    "root", "paragraph", "inline", "text", "softbreak", "hardbreak", "em", "strong", "s",
    "link", "code_inline", "heading", "blockquote", "bullet_list", "ordered_list", "list_item",
    "fence", "hr",
}  # fmt: skip


def _permissive_tree(markdown: str) -> Any:
    """How a renderer that trusts every link would read ``markdown`` (GFM strikethrough on)."""
    parser = MarkdownIt("commonmark", {"html": True}).enable("strikethrough")
    parser.validateLink = lambda url: True  # see every destination, even javascript:
    return SyntaxTreeNode(parser.parse(markdown))


def _nodes(node: Any) -> Iterator[Any]:
    yield node
    for child in node.children:
        yield from _nodes(child)


def _assert_harmless(markdown: str) -> None:
    for node in _nodes(_permissive_tree(markdown)):
        assert node.type in _ALLOWED_NODES, (node.type, markdown)
        if node.type == "link":
            href = node.attrs["href"]
            assert href.lower().startswith(("http://", "https://", "mailto:")), markdown


@pytest.mark.parametrize(
    "text",
    [
        "[[a]](javascript:alert(1))",
        "[a\\]b](javascript:alert(1))",
        "[ref][s]\n\n[s]: javascript:alert(1)",
        "[ref][s]\n\n[s]:\n  javascript:alert(1)",
        "[ref]\n\n[ref]: <javascript:alert(1)>",
        "[x](JAVASCRIPT:alert(1))",
        "[x](<javascript:alert(1)>)",
        "![x](http://pixel.example/p.png)",
        "[![x](http://pixel.example/p.png)](https://exemple.fr)",
        "<a href='javascript:alert(1)'>x</a>",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox)",
    ],
)
def test_safe_markdown_lets_no_script_link_nor_remote_image_through(text: str) -> None:
    _assert_harmless(safe_markdown(text))


def test_safe_markdown_keeps_blockquotes_lists_code_and_emphasis() -> None:
    text = "> cité\n\n1. un\n2. deux\n\n`code` ~~barré~~ *em*\n\n```\n<b>x</b>\n```"
    kinds = {node.type for node in _nodes(_permissive_tree(safe_markdown(text)))}
    assert {"blockquote", "ordered_list", "code_inline", "s", "em", "fence"} <= kinds


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
@settings(max_examples=300, deadline=None)
def test_safe_markdown_of_any_text_is_harmless(text: str) -> None:
    _assert_harmless(safe_markdown(text))


@given(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=120)
)
@settings(max_examples=300, deadline=None)
def test_plain_markdown_of_any_line_reads_back_as_itself(text: str) -> None:
    """Plain text: one paragraph of one text node, the exact input (no link, image, emphasis)."""
    line = " ".join(text.split())
    tree = _permissive_tree(plain_markdown(line))
    if not line:
        return
    kinds = [node.type for node in _nodes(tree)]
    assert kinds == ["root", "paragraph", "inline", "text"], (line, kinds)
    assert tree.children[0].children[0].children[0].content.replace(WORD_JOINER, "") == line


#: The literal autolinks of Streamlit's Markdown (remark-gfm's transform on parsed text).
_GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE)
_GFM_EMAIL = re.compile(
    r"(?<=^|\s|\p{P}|\p{S})([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)".replace(r"(?<=^|\s|\p{P}|\p{S})", "")
)


@pytest.mark.parametrize(
    "text",
    [
        "www.exemple.fr",
        "voir http://exemple.fr",
        "HTTPS://x.fr",
        "contact@exemple.fr",
        "$x$",
        ":red[x]",
    ],
)
def test_plain_markdown_is_never_linked_nor_styled(text: str) -> None:
    """GFM links bare URLs and e-mails found in the parsed text, Streamlit colours ``:red[…]``
    and typesets ``$…$``: none of them survives, and the text reads the same to a person."""
    escaped = plain_markdown(text)
    shown = _permissive_tree(escaped).children[0].children[0].children[0].content
    assert not _GFM_URL.search(shown) and not _GFM_EMAIL.search(shown)
    assert shown.replace(WORD_JOINER, "") == text
    assert all(escaped[i - 1] == "\\" for i, c in enumerate(escaped) if c in ":$[" and i)


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 idée"), (1, "1 idée"), (2, "2 idées"), (12345, "12 345 idées")],
)
def test_french_count_takes_the_singular_for_zero_and_one(count: int, expected: str) -> None:
    assert french_count(count, "idée").replace("\u202f", " ").replace("\xa0", " ") == expected


@pytest.mark.parametrize(
    ("count", "unit", "expected"),
    [
        (0, "lieux", "0 lieu"),
        (1, "points", "1 point"),
        (1, "sites", "1 site"),
        (1, "points de charge", "1 point de charge"),
        (1, "éléments", "1 élément"),
        (18, "lieux", "18 lieux"),
        (2, "points de charge", "2 points de charge"),
    ],
)
def test_a_count_agrees_with_its_declared_unit(count: int, unit: str, expected: str) -> None:
    assert french_count_of(count, unit) == expected
