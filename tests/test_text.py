"""geo.text: user text shown through Markdown and HTML, folding, French numbers."""

from __future__ import annotations

import pytest

from geo.text import plain_markdown, safe_markdown


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
    assert plain_markdown("[a](b) *c*") == "\\[a\\](b) \\*c\\*"
