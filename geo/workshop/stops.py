"""A tour's stops: what a stop saves from the page it comes from, and how it is presented.

An **Explorer stop** saves the Explorer's URL state (:mod:`geo.explorer.state`: territory,
filters, overlays, indicator, selected project, and the map view when the Explorer shares
it); a **portrait stop** saves the portrait's territory and the indicator and comparison it
showed. Reading a stop back goes through the same decoding as a link (:func:`explorer_state`),
so a stop saved before a dataset or a category disappeared still opens, without what is gone.

The presentation page is reached by :func:`presentation_url`: it carries Streamlit's own
``embed=true`` and ``embed_options`` parameters (the app cannot set them: no sidebar, no
toolbar, no padding, light theme for a projector), the tour, the stop shown, and for the
facilitator the tour's key and the workshop code whose ideas are drawn live.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from urllib.parse import urlencode

from geo.errors import GeoError
from geo.explorer import state as url_state
from geo.explorer.state import Decoded, ExplorerState
from geo.territory import TerritoryRef
from geo.territory.ref import split_ref

#: Parameters of the presentation page besides Streamlit's ``embed`` ones.
TOUR = "parcours"
STOP = "arret"
KEY = "jeton"
WORKSHOP = "atelier"
AUTOPLAY = "auto"
#: Seconds between two stops in autoplay, as offered.
AUTOPLAY_DELAYS = (10, 20, 30, 60)
#: Streamlit's embed options of the presentation (repeated parameter).
EMBED_OPTIONS = ("light_theme", "hide_loading_screen")
#: Portrait parameters a stop keeps.
PORTRAIT_PARAMS = ("territoire", "indicateur", "reference")


def explorer_params(state: ExplorerState) -> dict[str, str]:
    """The parameters of an Explorer stop: the link's, the list's order left out."""
    return url_state.encode(replace(state, order=url_state.default_order(state.near)))


def portrait_params(
    ref: TerritoryRef, *, indicator: str | None = None, reference: str | None = None
) -> dict[str, str]:
    params = {"territoire": str(ref)}
    if indicator:
        params["indicateur"] = indicator
    if reference:
        params["reference"] = reference
    return params


def explorer_state(
    params: Mapping[str, str],
    *,
    resolve: Callable[[str], TerritoryRef] | None = None,
    overlays: Collection[str] = (),
    indicators: Collection[str] = (),
) -> Decoded:
    """The Explorer state a stop saved, read as a link is (stale parts dropped with a notice)."""
    return url_state.decode(params, resolve=resolve, overlays=overlays, indicators=indicators)


def stop_territory(
    params: Mapping[str, str], resolve: Callable[[str], TerritoryRef] | None = None
) -> TerritoryRef | None:
    """The territory a stop shows, if any (an unknown one is None)."""
    raw = str(params.get("territoire") or "")
    if not raw:
        return None
    try:
        return resolve(raw) if resolve else TerritoryRef(*split_ref(raw))
    except GeoError:
        return None


def suggested_title(
    state: ExplorerState, territory_name: str | None, labels: Mapping[str, str]
) -> str:
    """A title to start from: the territory, then the themes (``labels``: id → label)."""
    parts = [territory_name or "France"]
    if state.themes:
        parts.append(" et ".join(labels.get(t, t) for t in state.themes).lower())
    if state.text:
        parts.append(f"« {state.text} »")
    return " — ".join(parts)[:120]


def presentation_url(
    tour_id: int,
    *,
    base_path: str = "/",
    stop: int | None = None,
    key: str | None = None,
    workshop: str | None = None,
    autoplay: int | None = None,
) -> str:
    """The presentation's link (path and query), full screen through Streamlit's embed mode."""
    params: list[tuple[str, str]] = [(TOUR, str(tour_id))]
    if stop is not None:
        params.append((STOP, str(stop)))
    if key:
        params.append((KEY, key))
    if workshop:
        params.append((WORKSHOP, workshop))
    if autoplay:
        params.append((AUTOPLAY, str(autoplay)))
    params.append(("embed", "true"))
    params += [("embed_options", option) for option in EMBED_OPTIONS]
    return f"{base_path}presentation?{urlencode(params)}"


def stop_index(raw: object, count: int) -> int:
    """The 0-based stop of the ``arret`` parameter (1-based, clamped; the first when bad)."""
    try:
        number = int(str(raw))
    except (TypeError, ValueError):
        return 0
    return max(0, min(count - 1, number - 1)) if count else 0


def progress_text(index: int, count: int) -> str:
    """``3 / 7``: the stop shown (from 1) and how many."""
    return f"{index + 1} / {count}" if count else "0 / 0"


def autoplay_delay(raw: object) -> int | None:
    """The autoplay delay of the ``auto`` parameter, when it is one offered."""
    try:
        seconds = int(str(raw))
    except (TypeError, ValueError):
        return None
    return seconds if seconds in AUTOPLAY_DELAYS else None
