"""Maps other sites show in a frame: the embed view's links and the ``<iframe>`` code to paste.

The embed view (the page at :data:`PATH`) shows a map and its legend, with no menu, no
moderation and no contribution link, in one of two kinds:

- an **Explorer view**: the Explorer's URL state (:mod:`geo.explorer.state`, the list's order
  left out, as a stop saves it): ``/integrer?territoire=…&themes=…``;
- a **published tour**, stop after stop: ``/integrer?parcours=ID``. Never a draft, and never
  with the tour's key: the code is pasted where anyone reads it.

Every link carries Streamlit's ``embed=true`` (no toolbar, no padding): the app cannot ask for
it otherwise. It is the only page another site may frame (``ui/framing.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from html import escape
from urllib.parse import urlencode

from geo.explorer.state import Decoded, ExplorerState
from geo.territory import TerritoryRef
from geo.workshop import stops

#: The embed page's address, under the app's base path (``navigation.py``, ``ui/framing.py``).
PATH = "integrer"
#: Streamlit's embed mode, asked by the address only.
EMBED_MODE = ("embed", "true")
#: The frame's size offered first, and the sizes accepted, in CSS pixels.
DEFAULT_WIDTH = 800
DEFAULT_HEIGHT = 500
WIDTHS = range(240, 4001)
HEIGHTS = range(240, 2001)
SITE = "Carte des communs énergie & mobilité"


def explorer_path(state: ExplorerState, *, base_path: str = "/") -> str:
    """The embed view of an Explorer view (path and query)."""
    params = [*stops.explorer_params(state).items(), EMBED_MODE]
    return f"{base_path}{PATH}?{urlencode(params)}"


def tour_path(tour_id: int, *, base_path: str = "/") -> str:
    """The embed view of a published tour (path and query), from its first stop."""
    return f"{base_path}{PATH}?{urlencode([(stops.TOUR, str(int(tour_id))), EMBED_MODE])}"


def tour_id(params: Mapping[str, object]) -> int | None:
    """The tour an embed address asks for (``parcours``), None for an Explorer view or an id
    that cannot be one."""
    raw = str(params.get(stops.TOUR) or "")
    if raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**31:
        return int(raw)
    return None


def stop_state(
    kind: str,
    params: Mapping[str, str],
    *,
    resolve: Callable[[str], TerritoryRef] | None = None,
    overlays: Collection[str] = (),
    indicators: Collection[str] = (),
) -> Decoded:
    """What the map of a stop shows: an Explorer stop's saved state, or a portrait stop's
    territory (its projects, outlined), read as a link is (stale parts dropped, with notices)."""
    if kind == "portrait":
        return Decoded(ExplorerState(territory=stops.stop_territory(params, resolve)))
    return stops.explorer_state(params, resolve=resolve, overlays=overlays, indicators=indicators)


def frame_title(name: str) -> str:
    """The frame's ``title`` (what a screen reader announces): the map named, then the site."""
    name = " ".join(name.split())
    return f"{name} — {SITE}" if name else SITE


def iframe_snippet(src: str, *, width: int | None, height: int, title: str) -> str:
    """The ``<iframe>`` code of the embed view at ``src`` (an absolute address), ``width`` by
    ``height`` CSS pixels (``width=None``: the host page's full width). Every value is
    escaped: ``title`` is user text (a tour's title)."""
    if width is not None and width not in WIDTHS:
        raise ValueError(f"largeur hors de {WIDTHS.start}–{WIDTHS.stop - 1} px : {width}")
    if height not in HEIGHTS:
        raise ValueError(f"hauteur hors de {HEIGHTS.start}–{HEIGHTS.stop - 1} px : {height}")
    attributes = {
        "src": src,
        "width": "100%" if width is None else str(width),
        "height": str(height),
        "title": title,
        "style": "border: 0",
        "loading": "lazy",
    }
    written = " ".join(
        f'{name}="{escape(value, quote=True)}"' for name, value in attributes.items()
    )
    return f"<iframe {written} allowfullscreen></iframe>"
