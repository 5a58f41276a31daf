"""« Signaler » on a published project's sheet: a visitor reports it with a reason.

The store keeps one open report per visitor (a random key of this session, stored hashed) and
hides the project from the map once ``GEO_REPORTS_TO_HIDE`` different visitors reported it,
until a moderator decides. A session may send a few reports only.
"""

from __future__ import annotations

import secrets

import streamlit as st

from geo.errors import GeoError
from geo.store import ProjectStore
from geo.text import plain_markdown
from ui import keys

REASONS = ("Informations fausses ou trompeuses", "Projet inexistant ou terminé",
           "Publicité ou contenu hors sujet", "Contenu choquant ou illégal", "Doublon",
           "Autre")  # fmt: skip
REPORTS_PER_SESSION = 10
THANKS = "Merci : votre signalement est envoyé, la modération l'examinera."


def _reporter() -> str:
    if keys.REPORTER not in st.session_state:
        st.session_state[keys.REPORTER] = secrets.token_urlsafe(16)
    return st.session_state[keys.REPORTER]


def report_action(project_id: int, store: ProjectStore) -> None:
    """The "Signaler" button of the sheet and its small form."""
    done = st.session_state.setdefault(keys.REPORTED, set())
    if project_id in done:
        st.caption("Vous avez signalé ce projet : merci, la modération examinera votre message.")
        return
    with st.popover("Signaler"):
        kind = st.selectbox("Motif", REASONS, key=f"signal-motif-{project_id}", filter_mode=None)
        detail = st.text_area("Précisions (facultatif)", key=f"signal-detail-{project_id}",
                              max_chars=400)  # fmt: skip
        if st.button("Envoyer le signalement", key=f"signal-envoyer-{project_id}"):
            sent = int(st.session_state.get(keys.REPORTS_SENT, 0))
            if sent >= REPORTS_PER_SESSION:
                st.error("Vous avez envoyé beaucoup de signalements : réessayez plus tard.")
                return
            reason = kind if not detail.strip() else f"{kind} : {detail.strip()}"
            try:
                store.report(project_id, reason, reporter=_reporter())
            except GeoError as error:
                st.error(plain_markdown(error))
                return
            st.session_state[keys.REPORTS_SENT] = sent + 1
            done.add(project_id)
            # Said here, at once: the project may leave the map on the next run (hidden after
            # enough reports), its sheet with it.
            st.success(THANKS)
