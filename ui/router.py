"""Make sure every page runs behind the router in ``app.py``.

Streamlit quirk (1.67): while no session of the server process has run ``app.py`` yet, a
``pages/`` folder beside it puts the process in the legacy multipage mode, so a first visit
to ``/carte`` runs ``pages/carte.py`` alone: no page config, no navigation, no static assets.
``st.navigation`` leaves that mode for good, but only once ``app.py`` has run. A page that
finds itself running alone leaves the mode itself and reruns, this time through the router.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def ensure_routed() -> None:
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
