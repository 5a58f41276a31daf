"""Links between pages: "Voir le portrait" of a territory, wherever one is chosen, and "Voir sur
l'Explorer" with the territory kept."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from geo.territory import LEVEL_LABELS, TerritoryRef
from geo.text import plain_markdown
from ui.page import base_path

#: The portrait page's script (``st.Page`` serves it at ``/portrait``).
PORTRAIT_PAGE = "pages/portrait.py"
PORTRAIT_PATH = "portrait"
#: The Explorer, the app's default page (served at the root).
EXPLORER_PAGE = "pages/explorer.py"


def portrait_url(ref: TerritoryRef) -> str:
    """``/portrait?territoire=epci%3A200040715`` (under the server's base path)."""
    return f"{base_path()}{PORTRAIT_PATH}?{urlencode({'territoire': str(ref)})}"


def explorer_url(ref: TerritoryRef) -> str:
    """``/?territoire=commune%3A38185`` (under the server's base path)."""
    return f"{base_path()}?{urlencode({'territoire': str(ref)})}"


def _page_link(script: str, url: str, ref: TerritoryRef, text: str, icon: str, where: Any) -> None:
    target = where or st
    try:
        target.page_link(script, label=text, icon=icon, query_params={"territoire": str(ref)})
    except StreamlitPageNotFoundError:
        # A page run on its own (an AppTest of one page) has no navigation to link in: a
        # plain link to the same address (it opens in a new tab).
        target.markdown(f"{icon} [{plain_markdown(text)}]({url})")


def portrait_link(ref: TerritoryRef, label: str | None = None, *, where: Any = None) -> None:
    """A "Voir le portrait" link to the territory's portrait page (in ``where``: the sidebar,
    a column…; the main area by default). Names are COG names, shown as plain text."""
    text = label or f"Voir le portrait ({LEVEL_LABELS[ref.level]})"
    _page_link(PORTRAIT_PAGE, portrait_url(ref), ref, text, ":material/assignment:", where)


def explorer_link(ref: TerritoryRef, label: str, *, where: Any = None) -> None:
    """A link to the Explorer showing the territory's projects (its filters start from it)."""
    _page_link(EXPLORER_PAGE, explorer_url(ref), ref, label, ":material/search:", where)


def portrait_links(chain: list[tuple[str, str, str]]) -> None:
    """One "portrait" link per territory of a chain ``[(level, code, nom)]`` (a project's
    commune → EPCI → département → région), one under the other: side by side, a sheet's
    narrow column cut them to "Po…"."""
    for level, code, nom in chain:
        portrait_link(TerritoryRef(level, code), f"Portrait : {nom}")
