"""Entry point: ``streamlit run app.py``. Configures the page and routes; pages live in pages/."""

from __future__ import annotations

import streamlit as st

from geo.mapping.assets import install_static_assets

# An emoji favicon is drawn locally; a Material icon would be fetched from fonts.gstatic.com.
st.set_page_config(page_title="Carte des communs énergie & mobilité", page_icon="🗺️", layout="wide")
install_static_assets()
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
    ]
).run()
