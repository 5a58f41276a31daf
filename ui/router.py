"""The one workaround for Streamlit's legacy ``pages/`` mode: every page runs behind the router.

Streamlit 1.67 (``streamlit/runtime/pages_manager.py``: ``PagesManager.uses_pages_directory``,
and ``script_runner._mpa_v1``) still treats a ``pages/`` folder beside the main script as the
first-generation multipage app until ``st.navigation`` has run once in the process: a fresh
server whose first visit is ``/carte`` runs ``pages/carte.py`` alone, without ``navigation.py``
(no page config, no navigation, no served Leaflet). Upstream documents no switch for it; its own
advice is to rename the folder (the warning "st.navigation was called in an app with a pages/
directory", and streamlit/streamlit#9992 for the symptoms on a first load). The owner asked
for ``pages/``, so a page that finds itself running alone leaves the mode (as
``st.navigation`` itself does) and reruns, this time through ``navigation.py``. (The warm-up of
``app.py`` runs ``st.navigation`` at start-up: only a visit arriving before it ends meets the
mode.)

``tests/app/test_router_workaround.py`` fails once a Streamlit release drops the legacy mode: this
module can then go.
"""

from __future__ import annotations

import os

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx


def ensure_routed() -> None:
    if PagesManager.uses_pages_directory or _legacy_pages_listed():
        PagesManager.uses_pages_directory = False
        st.rerun()


def _legacy_pages_listed() -> bool:
    """Whether this run went through the legacy mode although it has been left since: its
    page list holds the main script beside the ``pages/`` scripts (``navigation.py`` lists
    only those). A visit can start in the mode while another session — the server's warm-up
    — runs ``st.navigation`` and leaves it."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return False
    main = os.path.realpath(ctx.pages_manager.main_script_path)
    pages = ctx.pages_manager.get_pages().values()
    return len(pages) > 1 and any(os.path.realpath(p["script_path"]) == main for p in pages)


def intends(page: st.Page) -> bool:
    """Whether this run shows ``page``, decided as ``st.navigation`` will decide it (Streamlit
    1.67, ``PagesManager._resolve_page_script``: the page hash the browser asked for, else the
    page name of its address), but before it runs: ``navigation.py`` must know whether to send
    the menu at all. The embed view is sent none (``ui/framing.py`` says why)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return False
    manager = ctx.pages_manager
    if manager.intended_page_script_hash:
        # st.Page's own hash of its address (navigation/page.py): no public name for it.
        return bool(manager.intended_page_script_hash == page._script_hash)
    return bool(manager.intended_page_name == page.url_path)
