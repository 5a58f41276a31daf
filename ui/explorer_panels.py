"""The Explorer's main-area panels: a project's detail and the export buttons."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from geo.errors import GeoError
from geo.explorer.export import export_file
from geo.projects.model import SCOPES, STAGES, THEMES, carriers_text, categories
from geo.store import ProjectStore
from geo.territory import LEVEL_LABELS, Territories
from geo.text import plain_markdown, safe_markdown
from ui import keys, report


def select(project_id: int | None) -> None:
    st.session_state[keys.PROJECT] = project_id


def _absolute(link: str) -> str:
    """``link`` (path and query) on the address the visitor used, when Streamlit knows it."""
    try:
        page = urlsplit(str(st.context.url or ""))
    except (AttributeError, ValueError):
        return link
    if page.scheme in ("http", "https") and page.netloc:
        return f"{page.scheme}://{page.netloc}{link}"
    return link


def project_detail(
    row: pd.Series, territories: Territories | None, link: str, store: ProjectStore
) -> None:
    with st.container(border=True, key="fiche-projet"):
        st.subheader(plain_markdown(row["title"]), anchor=False)
        st.button(
            "Fermer la fiche", key="fermer-fiche", on_click=select, args=(None,),
            type="tertiary", icon="✖️",
        )  # fmt: skip
        facts = [
            " · ".join(THEMES.get(t, t) for t in row["themes"]),
            STAGES.get(row["stage"], row["stage"]),
        ]
        if row.get("start_year") and pd.notna(row["start_year"]):
            facts.append(f"depuis {int(row['start_year'])}")
        st.caption(plain_markdown(" · ".join(facts)))
        if row["summary"]:
            st.markdown(f"**{plain_markdown(row['summary'])}**")
        if row["description"]:
            st.markdown(safe_markdown(row["description"]))
        carriers = carriers_text(row["carriers"])
        if carriers:
            st.markdown(f"**Porteurs** : {plain_markdown(carriers)}")
        table = categories()
        if row["categories"]:
            labels = ", ".join(table[c]["label"] if c in table else c for c in row["categories"])
            st.markdown(f"**Catégories** : {plain_markdown(labels)}")
        if row.get("scope"):
            st.markdown(f"**Échelle** : {plain_markdown(SCOPES.get(row['scope'], row['scope']))}")
        if territories is not None and row.get("code_commune"):
            try:
                chain = territories.chain("commune", row["code_commune"])
            except GeoError:
                chain = []
            if chain:
                text = " → ".join(
                    f"{plain_markdown(nom)} ({LEVEL_LABELS[level]})" for level, _, nom in chain
                )
                st.markdown(f"**Territoire** : {text}")
        if row.get("website"):
            st.link_button("Site du projet", str(row["website"]))
        st.caption("Lien vers cette fiche :")
        st.code(_absolute(link), language=None, wrap_lines=True)
        report.report_action(int(row["id"]), store)


def exports(
    ids: list[int],
    store: ProjectStore,
    criteria: Any,
    html_map: Any,
    territories: Territories | None = None,
) -> None:
    """Download buttons; each file is built only when its button is clicked."""
    st.caption("Exporter la sélection")
    cols = st.columns(4)
    for col, (label, name, mime) in zip(
        cols[:3],
        [
            ("CSV", "csv", "text/csv"),
            ("GeoJSON", "geojson", "application/geo+json"),
            ("GeoPackage", "gpkg", "application/geopackage+sqlite3"),
        ],
        strict=True,
    ):
        col.download_button(
            label, lambda name=name: export_file(name, tuple(ids), store, criteria, territories),
            file_name=f"projets.{name}", mime=mime, key=f"export-{name}", on_click="ignore",
            disabled=not ids, use_container_width=True,
        )  # fmt: skip
    cols[3].download_button(
        "Carte HTML", html_map, file_name="carte-projets.html", mime="text/html",
        key="export-html", on_click="ignore", use_container_width=True,
    )  # fmt: skip
