"""The table of Streamlit's own texts (``ui/french_chrome.py``) follows the installed
Streamlit: each English text is one its frontend (or its Python side, for default
placeholders) really writes, so that a text renamed by a new version is noticed here rather
than seen in English. And the script survives Streamlit's sanitiser."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import streamlit

from ui import french_chrome

STREAMLIT = Path(streamlit.__file__).parent
#: Texts the frontend composes from pieces ("Press ${Ctrl}+Enter to ${apply}"): the pieces.
COMPOSED = {
    "Press Enter to apply": ["`Press Enter to ${", "`apply`"],
    "Press Enter to submit form": ["`Press Enter to ${", "`submit form`"],
    "Press Ctrl+Enter to apply": ["`Press ${", "`Ctrl`}+Enter to ${", "`apply`"],
    "Press Ctrl+Enter to submit form": ["`Press ${", "`Ctrl`}+Enter to ${", "`submit form`"],
    "Press ⌘+Enter to apply": ["`⌘`:`Ctrl`}+Enter to ${", "`apply`"],
    "Press ⌘+Enter to submit form": ["`⌘`:`Ctrl`}+Enter to ${", "`submit form`"],
}


@cache
def _frontend() -> str:
    scripts = sorted((STREAMLIT / "static" / "static" / "js").glob("*.js"))
    assert len(scripts) > 50
    return "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in scripts)


@cache
def _python_side() -> str:
    return "\n".join(
        path.read_text(encoding="utf-8") for path in sorted((STREAMLIT / "elements").rglob("*.py"))
    )


def test_every_english_text_is_one_streamlit_writes() -> None:
    frontend, python_side = _frontend(), _python_side()
    missing = []
    for english in french_chrome.TEXTS:
        if english in COMPOSED:
            missing += [f"{english}: {p}" for p in COMPOSED[english] if p not in frontend]
        elif f"`{english}`" not in frontend and f'"{english}"' not in python_side:
            missing.append(english)
    assert missing == []


def test_every_pattern_matches_what_streamlit_composes() -> None:
    # The same English as the frontend's templates, filled in.
    examples = [
        "View 3 more",
        "Help for Partager cette vue",
        "Remove Énergie",
        "You can only select up to 2 options. Remove an option first.",
        "X-axis titled 'Puissance' for a linear scale with values from 0 to 10",
        "Y-axis for a discrete scale with 3 values: a, b, c",
        "Symbol legend titled 'Thème' for fill color with 2 values: énergie, mobilité",
        "Symbol legend for fill color with 2 values: énergie, mobilité",
    ]
    patterns = [re.compile(source) for source, _ in french_chrome.PATTERNS]
    assert [any(p.search(text) for p in patterns) for text in examples] == [True] * len(examples)
    for template in ("-axis`", "View ${", "Help for ${", "Remove ${", "legend`"):
        assert template in _frontend()


def test_the_script_survives_streamlits_sanitiser() -> None:
    """DOMPurify (st.html) drops a script whose text holds "<" followed by a letter or "/"."""
    html = french_chrome.script()
    code = html.split("<script>", 1)[1].removesuffix("</script>")
    assert html.startswith("<style>") and html.endswith("</script>")
    assert re.search(r"<[/\w]", code) is None
    assert "/*TABLE*/" not in code
    table = json.loads(re.search(r"const table = (\{.*?\});\n", code).group(1))
    assert table["texts"]["Show password"] == "Afficher le mot de passe"


def test_french_texts_are_french() -> None:
    untranslated = [e for e, f in french_chrome.TEXTS.items() if e == f and e != "Format"]
    assert untranslated == []
