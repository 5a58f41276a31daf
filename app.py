"""Entry point: ``streamlit run app.py``. Serves ``navigation.py`` (page config and routes,
pages in ``pages/``) and runs it once as soon as the server is up, before any visitor.

That first run imports the libraries (pandas, geopandas, folium, SQLAlchemy…), opens the
prepared reference and the project store: over a second on all of France, which the first
visitor after a restart would otherwise wait for once Streamlit's front end has loaded. Run
at start-up, it overlaps the front end's download instead. It is Streamlit's own script
health check (``Runtime.does_script_run_without_error``: a session without a browser), so
what it warms is what a visit uses: the modules and the ``st.cache_resource`` caches.

Its middleware lets a returning visitor's browser keep the map component's script
(:mod:`ui.http_cache`), and refuses that other sites frame any page but the embed view
(:mod:`ui.framing`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st
from starlette.middleware import Middleware
from streamlit import runtime

from ui import framing, http_cache, warm_up

_LOG = logging.getLogger(__name__)


async def _first_run() -> None:
    # The run creates the libraries' objects by the hundred thousand: the garbage collector
    # would scan them again and again (a sixth of the run). They live as long as the process:
    # frozen once it is done, later collections skip them. Not collected first: that full
    # collection holds the interpreter 0.1 s while the first visitor's page loads, to free a
    # few hundred objects (the run's session and widgets), which stay.
    gc.disable()
    started = time.perf_counter()
    try:
        with warm_up.under_way(), warm_up.patient():
            ok, message = await runtime.get_instance().does_script_run_without_error()
    finally:
        gc.freeze()
        gc.enable()
    # A failed run: the visitor's own run shows the French message; the server's log says why.
    _LOG.log(*warm_up.report(ok, message, time.perf_counter() - started))


@asynccontextmanager
async def _warm_up(_app: st.App) -> AsyncIterator[None]:
    task = asyncio.create_task(_first_run())
    yield
    task.cancel()


app = st.App(
    "navigation.py",
    lifespan=_warm_up,
    middleware=[
        Middleware(framing.RefuseFraming),
        Middleware(http_cache.CacheHashedComponentFiles),
    ],
)
