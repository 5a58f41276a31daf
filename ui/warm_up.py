"""The server's own first run of the app, before any visitor (``app.py``), and where it stops.

It loads what every visit shares: the modules the pages import, the reference, the store (and
the demo projects of a first start), the outlines of the national map — the
``st.cache_resource`` caches of :mod:`ui.resources`. Then it stops: drawing a page for nobody
would take the processor from the first visitor, whose own run draws it while the browser is
still loading Streamlit's front end (measured in ``bench app``, README "Performance").
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.runtime import runtime as streamlit_runtime

from geo.text import french_number

_under_way = threading.Event()
#: How long the warm-up may run. Streamlit's own script check gives up after 60 s and says
#: "timeout"; a first start that fetches and prepares all of France runs longer (72 s seen),
#: which is slow, not a failure, and stopping it would leave the first visitor the rest.
PATIENCE_SECONDS = 900


@contextmanager
def under_way() -> Iterator[None]:
    """Around the warm-up's run (``app.py``)."""
    _under_way.set()
    try:
        yield
    finally:
        _under_way.clear()


@contextmanager
def patient() -> Iterator[None]:
    """Around the warm-up's run: Streamlit's script check waits up to :data:`PATIENCE_SECONDS`
    (it reads its module's ``SCRIPT_RUN_CHECK_TIMEOUT`` at each check)."""
    before = streamlit_runtime.SCRIPT_RUN_CHECK_TIMEOUT
    streamlit_runtime.SCRIPT_RUN_CHECK_TIMEOUT = PATIENCE_SECONDS  # type: ignore[misc]
    try:
        yield
    finally:
        streamlit_runtime.SCRIPT_RUN_CHECK_TIMEOUT = before  # type: ignore[misc]


def report(ok: bool, message: str, seconds: float) -> tuple[int, str]:
    """The server log's level and French line for the warm-up's outcome: a run that only
    took long is said so, a failure is a failure (the visitor's own run shows why)."""
    took = f"{french_number(round(seconds, 1), decimals=1)} s"
    if ok:
        return logging.INFO, f"Premier passage de l'application au démarrage terminé en {took}."
    if message == "timeout":
        return logging.WARNING, (
            f"Premier passage de l'application au démarrage toujours en cours après {took} : "
            "il n'est pas attendu plus longtemps, la première visite finira de charger."
        )
    return logging.WARNING, (
        f"Premier passage de l'application au démarrage en échec après {took} : {message}"
    )


def is_this_run() -> bool:
    """Whether the current run is the warm-up: one is under way and this session has no
    browser. A visitor's session always carries the headers of its browser's request."""
    return _under_way.is_set() and not st.context.headers
