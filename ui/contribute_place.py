"""Placing the project: an address and its candidates, or a click on the map, each correcting
the other; the territories of the point are shown before anything is sent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo.contribute import placement
from geo.contribute.form import ADDRESS_MAX
from geo.geocode import GeocodeResult, geocode
from geo.mapping import base as maps
from geo.settings import Settings
from geo.territory import Territories
from geo.text import plain_markdown
from ui import keys, page, resources
from ui.contribute_form import show_errors, slot

PIN_STYLE = {"radius": 9, "color": "#b42318", "weight": 3, "fill": True,
             "fill_color": "#f04438", "fill_opacity": 0.9}  # fmt: skip
MAP_HEIGHT = 360
#: Half the side of the view around a chosen address, in degrees (~1 km).
VIEW_DEG = 0.006


@dataclass(frozen=True)
class AddressSearch:
    """The session-state keys of one address search — the typed address, the candidates found,
    the one chosen, the notice, the place it gives — and the map view to move to the chosen
    place (``None``: the page keeps its own view). The contribution form and the workshop's
    form each have one."""

    address: str
    candidates: str
    candidate: str
    notice: str
    place: str
    view: str | None = None
    hint: str = "Tapez une adresse, une commune ou un code postal."


FORM = AddressSearch(keys.ADDRESS, keys.CANDIDATES, keys.CANDIDATE, keys.GEOCODE_NOTICE,
                     keys.PLACE, view=keys.PLACE_VIEW)  # fmt: skip


def current() -> dict[str, Any] | None:
    return st.session_state.get(keys.PLACE)


def search(fields: AddressSearch, settings: Settings, territories: Territories | None) -> None:
    """The "Chercher" button: the candidates of the typed address (one is chosen at once)."""
    query = str(st.session_state.get(fields.address) or "").strip()
    st.session_state.pop(fields.candidate, None)
    if len(query) < 2:
        st.session_state[fields.candidates] = []
        st.session_state[fields.notice] = fields.hint
        return
    found = geocode(query, settings=settings, territories=territories, limit=5)
    st.session_state[fields.candidates] = [r.__dict__ for r in found]
    st.session_state[fields.notice] = placement.notice(found, offline=settings.offline)
    if len(found) == 1:
        choose(fields, 0, territories)


def _around(lat: float, lon: float) -> list[list[float]]:
    return [[lat - VIEW_DEG, lon - VIEW_DEG], [lat + VIEW_DEG, lon + VIEW_DEG]]


def _view(result: GeocodeResult, territories: Territories | None) -> list[list[float]]:
    """Bounds of the map after a choice: a commune (the offline guess, or a commune found by
    name) is shown whole, so that the contributor sees where to click; else ~1 km around."""
    if result.kind == "commune" and result.code_commune and territories is not None:
        outline = territories.outline("commune", result.code_commune)
        if outline is not None and not outline.is_empty:
            return maps.geometry_bounds(outline)
    return _around(result.lat, result.lon)


def choose(
    fields: AddressSearch, index: int | None = None, territories: Territories | None = None
) -> None:
    """A candidate chosen (``index``, else the one picked in the list) becomes the place."""
    chosen = st.session_state.get(fields.candidate) if index is None else index
    candidates = st.session_state.get(fields.candidates) or []
    if chosen is None or not 0 <= int(chosen) < len(candidates):
        return
    result = GeocodeResult(**candidates[int(chosen)])
    address = str(st.session_state.get(fields.address) or "")
    st.session_state[fields.place] = placement.place_of(result, address)
    if fields.view is not None:
        st.session_state[fields.view] = _view(result, territories)


def candidate_list(fields: AddressSearch, box: Any, territories: Territories | None = None) -> None:
    """The addresses found, to pick one, in ``box`` (a container), when there are several."""
    candidates = st.session_state.get(fields.candidates) or []
    if len(candidates) > 1:
        labels = [placement.candidate_label(GeocodeResult(**c)) for c in candidates]
        box.radio("Adresses trouvées", list(range(len(candidates))), key=fields.candidate,
                  index=None, format_func=lambda i: plain_markdown(labels[i]),
                  on_change=choose, args=(fields, None, territories))  # fmt: skip


def _map(place: dict[str, Any] | None, settings: Settings, located: placement.Located) -> Any:
    departements = resources.context_outlines(settings)
    # The view follows a chosen address (or the saved point), not the clicks: a click moves
    # the pin without moving the map under the contributor's finger.
    bounds = st.session_state.get(keys.PLACE_VIEW)
    if bounds is None and place is not None:
        bounds = st.session_state[keys.PLACE_VIEW] = _around(place["lat"], place["lon"])
    m = maps.base_map(offline=settings.offline, base_url_path=page.base_url_path(),
                      bounds=bounds)  # fmt: skip
    if not isinstance(departements, Exception):
        maps.outlines_layer(departements, name=maps.CONTEXT_LAYER,
                            style=maps.CONTEXT_STYLE).add_to(m)  # fmt: skip
    group = folium.FeatureGroup(name="Emplacement du projet")
    if place is not None:
        commune = located.code_commune
        territories = resources.territories(settings)
        if commune and isinstance(territories, Territories):
            outline = territories.outline("commune", commune)
            if outline is not None:
                selection = maps.Selection("commune", commune, territories.nom("commune", commune),
                                           outline)  # fmt: skip
                maps.selected_layer(selection).add_to(group)
        folium.CircleMarker([place["lat"], place["lon"]], class_name="epingle-projet",
                            **PIN_STYLE).add_to(group)  # fmt: skip
    return m, group


def step(settings: Settings, territories: Territories | None, errors: Any) -> None:
    """The placement step of the form."""
    st.subheader("Où se trouve le projet ? *", anchor=False)
    st.caption(
        "Tapez l'adresse puis choisissez-la dans la liste, ou cliquez sur la carte ; cliquez "
        "à nouveau pour déplacer l'épingle. Sans réseau, le nom de la commune ou son code "
        "postal suffit."
    )
    address_col, button_col = st.columns([4, 1], vertical_alignment="bottom")
    address_col.text_input("Adresse", key=keys.ADDRESS, max_chars=ADDRESS_MAX,
                           placeholder="ex. 10 rue des Arts, 38000 Grenoble")  # fmt: skip
    button_col.button("Chercher", key="c_chercher", on_click=search,
                      args=(FORM, settings, territories), use_container_width=True)  # fmt: skip
    # A constant number of elements above the map (ui.contribute_form.slot).
    notice_box, candidates_box = slot(), st.container()
    notice = st.session_state.get(keys.GEOCODE_NOTICE)
    if notice:
        notice_box.info(plain_markdown(notice))
    candidate_list(FORM, candidates_box, territories)
    place = current()
    located = (
        placement.locate_point(place["lat"], place["lon"], territories)
        if place is not None
        else placement.Located([])
    )
    m, group = _map(place, settings, located)
    with st.container(key="c-carte-lieu"):
        result = st_folium(
            m, key=keys.PLACE_MAP, height=MAP_HEIGHT, use_container_width=True,
            returned_objects=["last_clicked"], feature_group_to_add=group,
        ) or {}  # fmt: skip
    click = result.get("last_clicked")
    if click and click != st.session_state.get(keys.PLACE_CLICK):
        st.session_state[keys.PLACE_CLICK] = click
        moved = placement.clicked(click, place)
        if moved is not None:
            st.session_state[keys.PLACE] = moved
            st.rerun()
    if place is None:
        st.caption("Aucun emplacement choisi pour l'instant.")
    elif located.problem:
        st.error(plain_markdown(located.problem))
    else:
        how = placement.SOURCES.get(place.get("source"), "")
        approx = " — position approximative" if place.get("approximate") else ""
        if located.chain:
            st.success(plain_markdown(f"{located.text()}"))
        st.caption(plain_markdown(
            f"{how}{approx} : {place['lat']:.5f}, {place['lon']:.5f}"
        ))  # fmt: skip
    show_errors("location", errors)
    show_errors("address", errors)
