"""What every page does first: run behind the router, read the settings, say what is wrong;
and around it, :func:`run`: whatever goes wrong is said in French, never as a traceback."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec

import streamlit as st

from geo.errors import GeoError
from geo.settings import Settings, read_settings
from geo.text import plain_markdown
from ui import french_chrome, keys
from ui.router import ensure_routed

log = logging.getLogger(__name__)
P = ParamSpec("P")
#: The app's layout rules (map height, margins), on every page.
STYLE = Path(__file__).with_name("style.css")

UNEXPECTED = (
    "Une erreur inattendue est survenue ; elle a été enregistrée dans le journal du serveur. "
    "Rechargez la page ; si elle revient, signalez-la en disant ce que vous faisiez."
)
OUT_OF_MEMORY = (
    "Le serveur manque de mémoire pour afficher cette page. Réessayez dans un moment, ou "
    "affinez les filtres pour afficher moins de données."
)


def run(render: Callable[[], None]) -> None:
    """Run a page: a :class:`GeoError` is shown as its French message; anything else is logged
    with its stack for the operator and shown as a French sentence (no path, no stack).
    Streamlit's own rerun and stop signals are not exceptions and pass through."""
    with said_in_french():
        render()


def fragment(render: Callable[P, None] | None = None, *, run_every: float | None = None) -> Any:
    """``st.fragment`` whose failures are said like a page's (:func:`run`): a fragment rerun
    alone does not pass through the page's handler, and Streamlit's own notice is English.
    ``@page.fragment(run_every=2)`` reruns it alone every 2 seconds (a timer)."""

    def decorate(body: Callable[P, None]) -> Callable[P, None]:
        @functools.wraps(body)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> None:
            with said_in_french():
                body(*args, **kwargs)

        return st.fragment(guarded, run_every=run_every)

    return decorate if render is None else decorate(render)


@contextmanager
def said_in_french() -> Iterator[None]:
    try:
        yield
    except GeoError as error:
        log.warning("Page interrompue : %s", error)
        st.error(plain_markdown(error))
    except MemoryError:
        log.exception("Mémoire insuffisante pendant l'affichage d'une page")
        st.error(OUT_OF_MEMORY)
    except Exception:
        log.exception("Erreur inattendue pendant l'affichage d'une page")
        st.error(UNEXPECTED)


def start(title: str, *, shown: bool = True) -> Settings:
    """Route, title the page and return the settings; an invalid setting is named in French
    and replaced by its default, so the page still opens. ``shown=False``: the page draws its
    own title (the full-screen presentation)."""
    ensure_routed()
    st.session_state[keys.PREVIOUS_PAGE] = st.session_state.get(keys.CURRENT_PAGE)
    st.session_state[keys.CURRENT_PAGE] = title
    st.html(STYLE)
    french_chrome.install()
    if shown:
        st.title(title)
    settings, problems = read_settings()
    for problem in problems:
        st.error(plain_markdown(problem))
    return settings


def arrived() -> bool:
    """This run opened the page (from another page, a link, or the first visit), rather than
    rerunning it after a widget changed."""
    return st.session_state.get(keys.PREVIOUS_PAGE) != st.session_state.get(keys.CURRENT_PAGE)


def base_url_path() -> str:
    """The server's ``baseUrlPath`` (``""`` at the root)."""
    return str(st.get_option("server.baseUrlPath") or "")


def base_path() -> str:
    """The app's root path, ``/`` or ``/prefix/``, for the links we build."""
    base = base_url_path().strip("/")
    return f"/{base}/" if base else "/"


def origin() -> str:
    """``http://host:port`` the visitor used (``""`` when Streamlit does not know it), for
    links and QR codes made for other people or other devices."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(str(st.context.url or ""))
    except (AttributeError, ValueError):
        return ""
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return ""


def absolute(path: str) -> str:
    """``path`` (path and query) on the address the visitor used, when Streamlit knows it."""
    return origin() + path
