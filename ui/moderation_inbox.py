"""The moderation inbox ("à modérer"): filters, one card per project with everything its
contributor filled (:mod:`geo.contribute.review`), its flags, what changed, its reports and
history, and the decisions; batch decisions on the selection.

Every decision goes through :attr:`geo.store.ProjectStore.moderation`, which checks the
moderator's session and scope itself; this module only draws and reports the outcome. All user
text is shown as plain text (:func:`geo.text.plain_markdown`); the description and the lessons
learned are sanitised, their headings written as paragraphs (never above the card's title).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from geo.contribute import review
from geo.contribute.form import FIELDS
from geo.errors import GeoError
from geo.explorer import state as url_state
from geo.projects.model import LESSON_LABELS, STATUSES, THEMES, Project
from geo.store import ProjectStore
from geo.store.identity import Moderator
from geo.store.moderation import InboxFilter, InboxItem
from geo.territory import Territories, TerritoryRef
from geo.text import french_date, plain_markdown, safe_markdown
from ui import keys, page

AGES = {0: "toutes", 1: "plus d'un jour", 7: "plus d'une semaine", 30: "plus d'un mois"}
KINDS = {"proposition": "proposition", "modification": "modification",
         "signalement": "signalement"}  # fmt: skip
ACTIONS = {"create": "création", "update": "modification", "revision": "modification proposée",
           "approve": "approbation", "reject": "refus", "archive": "archivage",
           "edit": "correction par la modération", "merge": "fusion d'un doublon",
           "merged": "fusionné dans un autre projet", "report": "signalement",
           "hide": "masqué après signalements", "status": "changement de statut",
           "resubmit": "renvoyé en modération", "confirm": "confirmation",
           "token": "nouveau lien"}  # fmt: skip
#: Fields a moderator may correct from the inbox (the text ones of the form).
EDITABLE = ("title", "summary", "description", "website")


def notify(message: str, *, ok: bool = True) -> None:
    st.session_state.setdefault(keys.MODERATION_NOTICES, []).append((ok, message))


def show_notices() -> None:
    for ok, message in st.session_state.pop(keys.MODERATION_NOTICES, []):
        (st.success if ok else st.error)(plain_markdown(message))


def decide(action: Callable[[], Any], done: str) -> None:
    try:
        action()
    except GeoError as error:
        notify(str(error), ok=False)
    else:
        notify(done)


def filters(territories: Territories | None) -> InboxFilter:
    col_territory, col_themes, col_age = st.columns(3)
    text = col_territory.text_input("Territoire", key=keys.INBOX_TERRITORY,
                                    placeholder="Commune, EPCI, département…")  # fmt: skip
    themes = col_themes.multiselect("Thèmes", list(THEMES), key=keys.INBOX_THEMES,
                                    format_func=THEMES.get, placeholder="Tous",
                                    select_all=False, filter_mode=None)  # fmt: skip
    age = col_age.selectbox("En attente depuis", list(AGES), key=keys.INBOX_AGE,
                            format_func=AGES.get, filter_mode=None)  # fmt: skip
    territory: TerritoryRef | None = None
    if text.strip() and territories is not None:
        found = territories.search(text.strip(), limit=1)
        if found:
            territory = TerritoryRef(found[0].level, found[0].code)
            col_territory.caption(plain_markdown(found[0].label))
        else:
            col_territory.caption("Aucun territoire ne correspond : filtre ignoré.")
    return InboxFilter(territory=territory, themes=tuple(themes), min_days=age or None)


def _age(since: datetime) -> str:
    days = (datetime.now(UTC) - since).days
    if days < 1:
        return "aujourd'hui"
    return "hier" if days == 1 else f"il y a {days} jours"


def _changes(item: InboxItem) -> None:
    if item.revision is None:
        return
    old, new = item.project, item.revision.project
    rows = []
    names = [*FIELDS, "carriers", "partners", "lessons", "address", "lat", "lon"]
    for name in names:
        before = review.field_text(name, getattr(old, name))
        after = review.field_text(name, getattr(new, name))
        if name == "lessons" and getattr(old, name) != getattr(new, name) and before == after:
            after += " (modifiés)"
        if before != after:
            label = review.field_label(name)
            rows.append(f"- **{plain_markdown(label)}** : {plain_markdown(before)}"
                        f" → {plain_markdown(after)}")  # fmt: skip
    st.markdown("**Modification proposée** (la version publiée reste affichée) :")
    st.markdown("\n".join(rows) or "aucune différence")


def _history(store: ProjectStore, item: InboxItem, moderator: Moderator) -> None:
    with st.expander("Historique"):
        try:
            entries = store.moderation.history(item.id, moderator)
        except GeoError as error:
            st.error(plain_markdown(error))
            return
        for entry in entries:
            when = entry.at.astimezone().strftime("%d/%m/%Y %H:%M")
            what = ACTIONS.get(entry.action, entry.action)
            note = f" — « {plain_markdown(entry.note)} »" if entry.note else ""
            st.markdown(f"- {when} · {plain_markdown(what)} · {plain_markdown(entry.actor)}{note}")


def _edit(store: ProjectStore, item: InboxItem, moderator: Moderator) -> None:
    shown = item.revision.project if item.revision is not None else item.project
    with st.expander("Corriger avant de décider"), st.form(f"m-corriger-{item.id}"):
        changes = {}
        for name in EDITABLE:
            field = FIELDS[name]
            widget = st.text_area if field.kind == "textarea" else st.text_input
            changes[name] = widget(
                field.shown_label,
                value=getattr(shown, name) or "",
                max_chars=field.max_chars,
                key=f"m-{name}-{item.id}",
            )
        if st.form_submit_button("Enregistrer la correction"):
            decide(lambda: store.moderation.edit(item.id, changes, moderator),
                   f"Projet n°{item.id} corrigé.")  # fmt: skip
            st.rerun()


def card(store: ProjectStore, item: InboxItem, moderator: Moderator,
         territories: Territories | None) -> None:  # fmt: skip
    project = item.revision.project if item.revision is not None else item.project
    with st.container(border=True, key=f"m-projet-{item.id}"):
        head, pick = st.columns([6, 1])
        head.markdown(f"#### {plain_markdown(item.project.title)}")
        pick.checkbox("Choisir", key=f"{keys.INBOX_SELECTED}{item.id}")
        facts = [KINDS[k] for k in item.kinds] + [
            f"n°{item.id}",
            f"depuis {_age(item.waiting_since)}",
        ]
        if territories is not None and project.code_commune:
            facts.append(territories.nom("commune", project.code_commune))
        st.caption(plain_markdown(" · ".join(facts)))
        if item.attention:
            st.warning("À vérifier : " + plain_markdown(", ".join(item.attention)))
        _content(project)
        _changes(item)
        for report in item.reports:
            st.markdown(
                f"- Signalement : {plain_markdown(report.reason)} ({_age(report.created_at)})"
            )
        if item.duplicates:
            links = [
                f"[n°{d.id} {plain_markdown(d.title)}]({_sheet(d.id)})"
                f" ({STATUSES.get(d.status, d.status)})"
                for d in item.duplicates
            ]
            st.markdown("Doublons possibles : " + ", ".join(links))
        _decisions(store, item, moderator)
        _edit(store, item, moderator)
        _history(store, item, moderator)


def _content(project: Project) -> None:
    """Everything the contributor filled: user text as plain text, the description and the
    lessons sanitised with their headings as paragraphs (a "## heading" was larger than the
    card's title)."""
    if project.summary:
        st.markdown(f"**{plain_markdown(project.summary)}**")
    if project.description:
        with st.container(key=f"m-contenu-{project.id}"):
            st.markdown(safe_markdown(project.description, headings=False))
    lines = [f"**{plain_markdown(f.label)}** : {plain_markdown(f.text)}"
             for f in review.facts(project)]  # fmt: skip
    where = f"{review.field_text('lat', project.lat)}, {review.field_text('lon', project.lon)}"
    if project.address:
        where = f"{project.address} ({where})"
    lines.append(f"**Lieu** : {plain_markdown(where)}")
    st.markdown("  \n".join(lines))
    if project.lessons:
        st.markdown("**Retours d'expérience**")
    for lesson in sorted(project.lessons, key=lambda item: str(item.date), reverse=True):
        with st.container(border=True):
            st.caption(f"Retour du {french_date(lesson.date)}")
            for part in ("worked", "hard", "differently"):
                text = str(getattr(lesson, part) or "")
                if text.strip():
                    shown = safe_markdown(text, headings=False)
                    st.markdown(f"**{LESSON_LABELS[part]}** : {shown}")


def _sheet(project_id: int | None) -> str:
    state = url_state.ExplorerState(project=project_id)
    return url_state.permalink(state, base_path=page.base_path())


def _decisions(store: ProjectStore, item: InboxItem, moderator: Moderator) -> None:
    pid = item.id
    approve_col, reject_col, archive_col = st.columns(3)
    # A published project only reported: approving keeps it published and sets the reports
    # aside (shown again on the map if the reports had hidden it).
    kept = item.kinds == ("signalement",)
    label, done = ("Garder publié", "gardé publié, signalements écartés") if kept else (
        "Approuver", "approuvé")  # fmt: skip
    if approve_col.button(label, key=f"m-approuver-{pid}", type="primary",
                          use_container_width=True):  # fmt: skip
        decide(lambda: store.moderation.approve(pid, moderator), f"Projet n°{pid} {done}.")
        st.rerun()
    if archive_col.button("Archiver", key=f"m-archiver-{pid}", use_container_width=True):
        decide(lambda: store.moderation.archive(pid, moderator), f"Projet n°{pid} archivé.")
        st.rerun()
    with reject_col.popover("Refuser…", use_container_width=True):
        reason = st.text_area("Raison du refus *", key=f"m-raison-{pid}", max_chars=500)
        st.caption("Le porteur la lira sur son lien privé : dites-lui ce qu'il doit changer "
                   "pour être publié ; corrigé, le projet revient ici.")  # fmt: skip
        if st.button("Refuser", key=f"m-refuser-{pid}"):
            decide(lambda: store.moderation.reject(pid, reason, moderator),
                   f"Projet n°{pid} refusé.")  # fmt: skip
            st.rerun()
    if item.duplicates:
        targets = {d.id: f"n°{d.id} {d.title}" for d in item.duplicates}
        merge_col, go_col = st.columns([3, 1], vertical_alignment="bottom")
        # A list's options are plain text (never Markdown): the title as typed.
        target = merge_col.selectbox("Fusionner ce doublon dans", list(targets),
                                     format_func=targets.__getitem__,
                                     key=f"m-cible-{pid}", filter_mode=None)  # fmt: skip
        if go_col.button("Fusionner", key=f"m-fusionner-{pid}", use_container_width=True):
            decide(lambda: store.moderation.merge(pid, int(target), moderator),
                   f"Projet n°{pid} fusionné dans le n°{target}.")  # fmt: skip
            st.rerun()


def batch(store: ProjectStore, items: list[InboxItem], moderator: Moderator) -> None:
    chosen = [i.id for i in items if st.session_state.get(f"{keys.INBOX_SELECTED}{i.id}")]
    with st.container(border=True, key="m-lot"):
        st.markdown(f"**Sélection : {len(chosen)} projet(s)**")
        approve_col, reason_col, reject_col = st.columns([2, 3, 2], vertical_alignment="bottom")
        reason = reason_col.text_input("Raison du refus (lot)", key="m-raison-lot", max_chars=500)
        if approve_col.button("Approuver la sélection", key="m-approuver-lot",
                              disabled=not chosen, use_container_width=True):  # fmt: skip
            for outcome in store.moderation.approve_many(chosen, moderator):
                notify(outcome.message, ok=outcome.done)
            st.rerun()
        if reject_col.button("Refuser la sélection", key="m-refuser-lot", disabled=not chosen,
                             use_container_width=True):  # fmt: skip
            try:
                for outcome in store.moderation.reject_many(chosen, reason, moderator):
                    notify(outcome.message, ok=outcome.done)
            except GeoError as error:
                notify(str(error), ok=False)
            st.rerun()
