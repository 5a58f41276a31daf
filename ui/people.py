"""What the actor and commun pages share: a map of projects, their list with links to their
sheets on the Explorer, a list of territories with their portraits."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.communs.pages import Place, bounds, project_link
from geo.errors import GeoError
from geo.mapping import base as maps
from geo.mapping import projects as project_maps
from geo.projects.model import STAGES
from geo.settings import Settings
from geo.territory import LEVEL_LABELS, TerritoryRef
from geo.text import plain_markdown
from ui import links, page, resources

MAP_HEIGHT = 400


def _link(project_id: int) -> str:
    return project_link(project_id, base_path=page.base_path())


def project_map(
    frame: pd.DataFrame, communes: Sequence[str | None], settings: Settings, *, key: str
) -> None:
    """The projects on a map fitted to them (France when there is none)."""
    m = maps.base_map(
        offline=settings.offline, base_url_path=page.base_url_path(), bounds=bounds(frame)
    )
    departements = resources.context_outlines(settings)
    if not isinstance(departements, GeoError):
        # As on the Explorer: the départements' outlines, for a map without tiles too.
        maps.outlines_layer(departements, name=maps.CONTEXT_LAYER, style=maps.CONTEXT_STYLE).add_to(
            m
        )
    layer = project_maps.project_layer(
        frame, link=_link, communes=list(communes), base_url_path=page.base_url_path()
    )
    with st.container(key=key):
        st_folium(m, height=MAP_HEIGHT, use_container_width=True, returned_objects=[],
                  feature_group_to_add=[layer], key=f"{key}-folium")  # fmt: skip


def project_list(frame: pd.DataFrame, communes: Sequence[str | None], *, key: str) -> None:
    """Each project: its title as a link to its sheet on the Explorer, stage and commune."""
    with st.container(key=key):
        for row, commune in zip(frame.itertuples(index=False), communes, strict=True):
            where = f" — {commune}" if commune else ""
            stage = STAGES.get(row.stage, row.stage)
            st.markdown(
                f"- [{plain_markdown(row.title)}]({_link(int(row.id))}) "
                f"· {plain_markdown(stage)}{plain_markdown(where)}"
            )


def _projects(count: int) -> str:
    return f"{count} projet{'s' if count > 1 else ''}"


def place_list(places: Sequence[Place], *, level: str, total: int) -> None:
    """The territories of a level with their projects, each a link to its portrait; the
    projects outside the loaded territories said apart."""
    shown = [p for p in places if p.level == level]
    st.markdown(f"**Par {LEVEL_LABELS[level]}**")
    for place in shown:
        links.portrait_link(TerritoryRef(place.level, place.code),
                            f"{place.nom} : {_projects(place.count)}")  # fmt: skip
    outside = total - sum(p.count for p in shown)
    if outside > 0:
        st.caption(f"{_projects(outside)} hors des territoires chargés.")
