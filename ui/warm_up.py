"""The server's own first run of the app, before any visitor (``app.py``), and where it stops.

It loads what every visit shares: the modules the pages import, the reference, the store (and
the demo projects of a first start), the outlines of the national map — the
``st.cache_resource`` caches of :mod:`ui.resources`. Then it stops: drawing a page for nobody
would take the processor from the first visitor, whose own run draws it while the browser is
still loading Streamlit's front end (measured in ``bench app``, README "Performance").
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

_under_way = threading.Event()


@contextmanager
def under_way() -> Iterator[None]:
    """Around the warm-up's run (``app.py``)."""
    _under_way.set()
    try:
        yield
    finally:
        _under_way.clear()


def is_this_run() -> bool:
    """Whether the current run is the warm-up: one is under way and this session has no
    browser. A visitor's session always carries the headers of its browser's request."""
    return _under_way.is_set() and not st.context.headers
