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
#: The actor and commun pages (``/acteurs?acteur=ID``, ``/communs?commun=ID``).
ACTORS_PAGE, ACTORS_PATH = "pages/acteurs.py", "acteurs"
COMMUNS_PAGE, COMMUNS_PATH = "pages/communs.py", "communs"


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


def _entity_link(script: str, path: str, param: str, ident: int, text: str, icon: str,
                 where: Any) -> None:  # fmt: skip
    target = where or st
    try:
        target.page_link(script, label=text, icon=icon, query_params={param: str(ident)})
    except StreamlitPageNotFoundError:
        url = f"{base_path()}{path}?{urlencode({param: str(ident)})}"
        target.markdown(f"{icon} [{plain_markdown(text)}]({url})")


def actor_link(actor_id: int, name: str, *, where: Any = None) -> None:
    """A link to an actor's page (its name is user text: shown as plain text)."""
    _entity_link(ACTORS_PAGE, ACTORS_PATH, "acteur", actor_id, name, ":material/groups:", where)


def commun_link(commun_id: int, title: str, *, where: Any = None) -> None:
    """A link to a commun's page."""
    _entity_link(COMMUNS_PAGE, COMMUNS_PATH, "commun", commun_id, title,
                 ":material/handshake:", where)  # fmt: skip


def explorer_commun_link(commun_id: int, label: str, *, where: Any = None) -> None:
    """The Explorer filtered on the projects reusing a commun."""
    _entity_link(EXPLORER_PAGE, "", "commun", commun_id, label, ":material/search:", where)


def portrait_links(chain: list[tuple[str, str, str]]) -> None:
    """One "portrait" link per territory of a chain ``[(level, code, nom)]`` (a project's
    commune → EPCI → département → région), one under the other: side by side, a sheet's
    narrow column cut them to "Po…"."""
    for level, code, nom in chain:
        portrait_link(TerritoryRef(level, code), f"Portrait : {nom}")
