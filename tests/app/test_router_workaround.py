"""The ``pages/`` workaround (``ui/router.py``) is needed as long as Streamlit keeps its legacy
multipage mode: when this test fails, Streamlit dropped it and ``ensure_routed`` can go."""

from __future__ import annotations

import inspect

from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import script_runner


def test_streamlit_still_has_the_legacy_pages_mode() -> None:
    assert hasattr(PagesManager, "uses_pages_directory"), (
        "Streamlit no longer has PagesManager.uses_pages_directory: remove ui/router.py"
    )
    source = inspect.getsource(script_runner)
    assert "_mpa_v1" in source and "uses_pages_directory" in source, (
        "Streamlit no longer runs pages/ scripts alone on a first visit: remove ui/router.py"
    )


def test_every_page_starts_through_the_router() -> None:
    from reference import ROOT

    for page in sorted((ROOT / "pages").glob("*.py")):
        text = page.read_text(encoding="utf-8")
        assert "page.start(" in text, f"{page.name} does not call ui.page.start()"
        assert "ensure_routed" not in text, f"{page.name}: the workaround lives in ui/router.py"
