"""What every page does first: run behind the router, read the settings, say what is wrong."""

from __future__ import annotations

import streamlit as st

from geo.settings import Settings, read_settings
from geo.text import plain_markdown
from ui.router import ensure_routed


def start(title: str) -> Settings:
    """Route, title the page and return the settings; an invalid setting is named in French
    and replaced by its default, so the page still opens."""
    ensure_routed()
    st.title(title)
    settings, problems = read_settings()
    for problem in problems:
        st.error(plain_markdown(problem))
    return settings


def base_url_path() -> str:
    """The server's ``baseUrlPath`` (``""`` at the root)."""
    return str(st.get_option("server.baseUrlPath") or "")


def base_path() -> str:
    """The app's root path, ``/`` or ``/prefix/``, for the links we build."""
    base = base_url_path().strip("/")
    return f"/{base}/" if base else "/"
