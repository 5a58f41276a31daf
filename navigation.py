"""The script every visit runs (served by app.py): page config and routes; pages live in pages/."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from geo.mapping.assets import install_static_assets
from geo.settings import read_settings
from geo.workshop import embed
from ui import keys, moderation_auth, resources, router

# A pin in the themes' colours, drawn from a file: a Material icon would be fetched from
# fonts.gstatic.com, an emoji needs a system font and loads Streamlit's emoji catalogue (a
# tenth of a second of the first run, compiling its pattern).
st.set_page_config(
    page_title="Carte des communs énergie & mobilité",
    page_icon=str(Path(__file__).parent / "ui" / "favicon.svg"),
    layout="wide",
)
# An offline kit carries its own copy, for a machine installed without the XStatic packages.
install_static_assets(fallback=read_settings()[0].data_dir / "static" / "vendor")
# A run with no browser is the server's own (its warm-up, /_stcore/script-health-check): it
# fails while the project store cannot be opened, so that the health check says so (a
# visitor's run shows the French message instead).
if not st.context.headers:
    resources.require_store(read_settings()[0])
# The inbox count is shown to a logged-in moderator only (one count query per run).
moderation_store = (
    resources.store(read_settings()[0]) if keys.MODERATOR in st.session_state else None
)
# The map other sites frame (ui/framing.py): no page of the menu can be reached from it.
embedded = st.Page(
    "pages/integrer.py", title="Carte intégrée", url_path=embed.PATH, visibility="hidden"
)
st.navigation(
    [
        # Material icons come with Streamlit's own fonts; emoji need a system font (a kiosk
        # or a CI machine may have none, and shows empty boxes).
        st.Page("pages/explorer.py", title="Explorer", icon=":material/search:", default=True),
        # Served at /carte, its first address: links made before it was renamed still open it.
        st.Page(
            "pages/carte.py",
            title="Territoires",
            icon=":material/travel_explore:",
            url_path="carte",
        ),
        st.Page("pages/portrait.py", title="Portrait de territoire", icon=":material/assignment:"),
        st.Page(
            "pages/communs.py", title="Communs", icon=":material/handshake:", url_path="communs"
        ),
        st.Page("pages/acteurs.py", title="Acteurs", icon=":material/groups:", url_path="acteurs"),
        st.Page(
            "pages/proposer.py",
            title="Proposer un projet",
            icon=":material/add_location_alt:",
            url_path="proposer",
        ),
        st.Page(
            "pages/parcours.py", title="Parcours", icon=":material/slideshow:", url_path="parcours"
        ),
        # Reached by their links only: the full-screen presentation, the participants' form.
        st.Page(
            "pages/presentation.py",
            title="Présentation",
            url_path="presentation",
            visibility="hidden",
        ),
        st.Page("pages/atelier.py", title="Atelier", url_path="atelier", visibility="hidden"),
        st.Page(
            "pages/moderation.py",
            title=moderation_auth.navigation_title(moderation_store),
            icon=":material/shield_person:",
            url_path="moderation",
        ),
        embedded,
    ],
    position="hidden" if router.intends(embedded) else "sidebar",
).run()
