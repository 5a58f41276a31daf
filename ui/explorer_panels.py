"""The Explorer's main-area panels: a project's detail and the export buttons."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from geo.errors import GeoError
from geo.explorer.export import export_file
from geo.indicators import SourceInfo
from geo.projects.entities import url_key
from geo.projects.impact import impact_lines
from geo.projects.model import (
    CARRIER_TYPES,
    LESSON_LABELS,
    SCOPES,
    STAGES,
    THEMES,
    carriers_text,
    categories,
)
from geo.store import ProjectStore
from geo.territory import LEVEL_LABELS, Territories
from geo.text import french_date, plain_markdown, safe_markdown
from ui import keys, links, page, report

#: Brings the project's sheet into view when it opened out of sight (on a phone the list
#: is under the map, the sheet above the button pressed). A fixed script, no user text.
SCROLL_TO_SHEET = """<script>
setTimeout(function () {
  var sheet = document.querySelector(".st-key-fiche-projet");
  if (!sheet) { return; }
  var top = sheet.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight - 120) {
    sheet.scrollIntoView({block: "start"});
  }
}, 60);
</script>"""


def select(project_id: int | None) -> None:
    """The list's buttons: choose a project (None closes its sheet), then show its sheet."""
    st.session_state[keys.PROJECT] = project_id
    st.session_state[keys.SHOW_SHEET] = project_id is not None


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
            st.markdown(safe_markdown(row["description"], headings=False))
        _people(int(row["id"]), row, store)
        table = categories()
        if row["categories"]:
            labels = ", ".join(table[c]["label"] if c in table else c for c in row["categories"])
            st.markdown(f"**Catégories** : {plain_markdown(labels)}")
        figures = impact_lines(row)
        if figures:
            # Figures and units are ours (numbers formatted in geo), not user text.
            st.markdown("  \n".join(f"**{label}** : {value}" for label, value in figures))
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
                links.portrait_links(chain)
        if row.get("website"):
            st.link_button("Site du projet", str(row["website"]))
        _lessons(row.get("lessons"))
        st.caption("Lien vers cette fiche :")
        st.code(page.absolute(link), language=None, wrap_lines=True)
        report.report_action(int(row["id"]), store)
        if st.session_state.pop(keys.SHOW_SHEET, False):
            st.html(SCROLL_TO_SHEET, unsafe_allow_javascript=True)


def _people(project_id: int, row: pd.Series, store: ProjectStore) -> None:
    """Carriers and partners, each a link to its actor's page; the communs it reuses or
    produced, each a link to its page (a URL no commun has stays a plain link)."""
    linked = store.actors.of_project(project_id)
    for role, title, field in (("carrier", "Porteurs", "carriers"),
                               ("partner", "Partenaires", "partners")):  # fmt: skip
        actors = [actor for kind, actor in linked if kind == role]
        if actors:
            st.markdown(f"**{title}**")
            for actor in actors:
                kind = CARRIER_TYPES.get(actor.type, actor.type)
                links.actor_link(actor.id, f"{actor.name} ({kind[:1].lower()}{kind[1:]})")
        elif text := carriers_text(row.get(field)):
            st.markdown(f"**{title}** : {plain_markdown(text)}")
    communs = store.communs.of_projects([project_id]).get(project_id, [])
    known = {url_key(c.url) for _, c in communs} | {url_key(c.page) for _, c in communs}
    kinds = (("reuses", "Communs réutilisés", "commons"),
             ("produces", "Communs produits", "commons_produced"))  # fmt: skip
    for relation, title, field in kinds:
        shown = [c for kind, c in communs if kind == relation]
        others = [u for u in (row.get(field) or []) if url_key(u) not in known]
        if not shown and not others:
            continue
        st.markdown(f"**{title}**")
        for commun in shown:
            links.commun_link(commun.id, commun.title)
        for url in others:
            st.markdown(f"- [{plain_markdown(url)}]({url})")


def _lessons(lessons: object) -> None:
    """The project's lessons learned, newest first (Markdown sanitised)."""
    items = [lesson for lesson in (lessons if isinstance(lessons, list) else []) if lesson]
    if not items:
        return
    st.markdown("**Retours d'expérience**")
    for lesson in sorted(items, key=lambda item: str(_part(item, "date")), reverse=True):
        with st.container(border=True):
            st.caption(f"Retour du {french_date(_part(lesson, 'date'))}")
            for part in ("worked", "hard", "differently"):
                text = str(_part(lesson, part) or "")
                if text.strip():
                    st.markdown(f"**{LESSON_LABELS[part]}** : {safe_markdown(text)}")


def _part(lesson: object, name: str) -> object:
    return lesson.get(name) if isinstance(lesson, dict) else getattr(lesson, name, None)


def sources(infos: list[SourceInfo], basemap: str | None) -> None:
    """Under the map: rows of a layer outside the loaded territories (said where it is seen),
    then where each layer comes from, its licence and its date (the map's attribution only
    names them)."""
    for info in infos:
        if info.outside_text:
            st.caption(plain_markdown(f"{info.title} : {info.outside_text}"))
    with st.expander("Sources", icon=":material/info:"):
        lines = []
        if basemap:
            lines.append(f"- **Fond de carte** : {plain_markdown(basemap)}")
        for info in infos:
            licence = plain_markdown(info.licence)
            if info.licence_url:
                licence = f"[{licence}]({info.licence_url})"
            title = plain_markdown(info.title)
            if info.page_url:
                title = f"[{title}]({info.page_url})"
            lines.append(
                f"- **{title}** — {plain_markdown(info.producer)} · "
                f"{licence} · {plain_markdown(info.date_text)}  \n"
                f"  {plain_markdown(info.attribution)}"
            )
            if info.outside_text:
                lines.append(f"  {plain_markdown(info.outside_text)}")
        lines.append(
            "- **Projets** — contributions du réseau La Fabrique des Énergies "
            "(fiches modérées, texte des porteurs)."
        )
        st.markdown("\n".join(lines))


#: The data files of the selection: label, format, MIME type, and what each is for (its help).
EXPORTS = [
    ("Tableur (XLSX)", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
     "Pour LibreOffice ou Excel : codes (01024) et nombres intacts, en-têtes en français."),
    ("CSV d'échange", "csv", "text/csv",
     "Pour réimporter ou pour d'autres outils : colonnes documentées, séparateur « ; »."),
    ("GeoJSON", "geojson", "application/geo+json", "Pour un SIG ou une carte web."),
    ("GeoPackage", "gpkg", "application/geopackage+sqlite3", "Pour QGIS."),
]  # fmt: skip
EXPORTS_NOTE = (
    "Exporter la sélection : **Tableur (XLSX)** pour l'ouvrir dans LibreOffice ou Excel ; "
    "**CSV d'échange** pour la réimporter ou la passer à d'autres outils (un CSV ouvert dans "
    "un tableur en français perd le zéro de 01024 et lit 45.19 comme du texte)."
)


def exports(
    ids: list[int],
    store: ProjectStore,
    criteria: Any,
    html_map: Any,
    territories: Territories | None = None,
) -> None:
    """Download buttons, and which file is for what; each file is built only when its button
    is clicked."""
    st.caption(EXPORTS_NOTE)
    cols = st.columns(len(EXPORTS) + 1)
    for col, (label, name, mime, purpose) in zip(cols[:-1], EXPORTS, strict=True):
        col.download_button(
            label, lambda name=name: export_file(name, tuple(ids), store, criteria, territories),
            file_name=f"projets.{name}", mime=mime, key=f"export-{name}", on_click="ignore",
            disabled=not ids, width="stretch", help=purpose,
        )  # fmt: skip
    cols[-1].download_button(
        "Carte HTML", html_map, file_name="carte-projets.html", mime="text/html",
        key="export-html", on_click="ignore", width="stretch",
        help="Une carte autonome, qui s'ouvre sans connexion.",
    )  # fmt: skip
