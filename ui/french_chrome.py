"""Streamlit's own interface texts in French: the hints under a field being typed in ("Press
Enter to apply"), the labels of its buttons read on hover or by a screen reader (sidebar,
password, copy, chart and table toolbars), its connection notices. Streamlit has no
translations: :func:`install`, called by every page (``ui.page.start``), runs
``french_chrome.js`` in the page, which replaces these texts wherever they appear, in text
and in ``aria-label``, ``title``, ``placeholder`` and ``alt``, as Streamlit draws them, and says
that the page is in French (``<html lang="fr">``, so that a screen reader reads it with a
French voice).

The table is here, in one place. The English side is copied from Streamlit's frontend
(``streamlit/static/static/js``, version 1.67): a text Streamlit changes in a new version is
no longer found and shows in English again, which the browser test
(``tests/e2e/test_french_chrome_browser.py``) catches for the ones it exercises.
Leaflet's map controls are translated by the map itself (``geo/mapping``).
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

SCRIPT = Path(__file__).with_name("french_chrome.js")
#: The container the script is drawn in, hidden by its own rule: no gap in the page.
CONTAINER_KEY = "chrome-francais"
#: Its wrapper too: a wrapper of no height still takes a gap of the page's column.
HIDDEN = (
    f"<style>.st-key-{CONTAINER_KEY}, :has(> .st-key-{CONTAINER_KEY}) {{ display: none; }}</style>"
)

#: English text (as Streamlit writes it, whole) → French.
TEXTS: dict[str, str] = {
    # Under a field while typing (InputInstructions).
    "Press Enter to apply": "Appuyez sur Entrée pour valider",
    "Press Enter to submit form": "Appuyez sur Entrée pour envoyer le formulaire",
    "Press Ctrl+Enter to apply": "Appuyez sur Ctrl+Entrée pour valider",
    "Press Ctrl+Enter to submit form": "Appuyez sur Ctrl+Entrée pour envoyer le formulaire",
    "Press ⌘+Enter to apply": "Appuyez sur ⌘+Entrée pour valider",
    "Press ⌘+Enter to submit form": "Appuyez sur ⌘+Entrée pour envoyer le formulaire",
    # Fields, select boxes, multiselects.
    "Show password": "Afficher le mot de passe",
    "Hide password": "Masquer le mot de passe",
    "Clear entry": "Effacer la saisie",
    "Clear value": "Effacer",
    "Clear all": "Tout effacer",
    "Open": "Ouvrir la liste",
    "Selected values": "Valeurs choisies",
    "Selectbox options": "Options",
    "No results": "Aucun résultat",
    "Choose an option": "Choisissez une option",
    "Choose options": "Choisissez des options",
    "Select...": "Choisir…",
    "Select all": "Tout choisir",
    "Increment": "Augmenter",
    "Decrement": "Diminuer",
    # The sidebar and the page's frame.
    "Collapse sidebar": "Replier le panneau latéral",
    "Expand sidebar": "Déplier le panneau latéral",
    "Sidebar": "Panneau latéral",
    "App pages": "Pages de l'application",
    "View less": "Voir moins",
    "Skip to main content": "Aller au contenu principal",
    "Main menu": "Menu principal",
    "Link to heading": "Lien vers ce titre",
    "Help": "Aide",
    "Close": "Fermer",
    "Dismiss": "Fermer",
    "view more": "voir plus",
    "view less": "voir moins",
    "Print": "Imprimer",
    "About": "À propos",
    # Copy buttons (st.code, the version in the menu).
    "Copy to clipboard": "Copier dans le presse-papiers",
    "Copy version to clipboard": "Copier la version dans le presse-papiers",
    "Copied": "Copié",
    "Copied!": "Copié !",
    "Copy": "Copier",
    # Chart and table toolbars (Altair/Vega-Lite, dataframes, images).
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Exit fullscreen": "Quitter le plein écran",
    "Toggle fullscreen": "Plein écran",
    "Show data": "Afficher les données",
    "Show chart": "Afficher le graphique",
    "Download as PNG": "Télécharger en PNG",
    "Download as CSV": "Télécharger en CSV",
    "Copy Vega-Lite spec": "Copier la spécification Vega-Lite",
    "Vega visualization": "Graphique",
    "Search": "Rechercher",
    "Type to search": "Tapez pour rechercher",
    "Close Search": "Fermer la recherche",
    "Next Result": "Résultat suivant",
    "Previous Result": "Résultat précédent",
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "Clear selection": "Effacer la sélection",
    "Dataframe column menu": "Menu de la colonne",
    "Sort ascending": "Trier par ordre croissant",
    "Sort descending": "Trier par ordre décroissant",
    "Pin column": "Épingler la colonne",
    "Unpin column": "Détacher la colonne",
    "Hide column": "Masquer la colonne",
    "Autosize": "Largeur automatique",
    "Format": "Format",
    "Copy column name": "Copier le nom de la colonne",
    "No data": "Aucune donnée",
    "Empty": "Vide",
    # The running indicator and the connection notices.
    "Running...": "En cours…",
    "Stop": "Arrêter",
    "Stopping...": "Arrêt en cours…",
    "Connecting": "Connexion…",
    "Connecting to Streamlit server": "Connexion au serveur…",
    "Error": "Erreur",
    "Unable to connect to Streamlit server": "Impossible de joindre le serveur",
    "Connection error": "Erreur de connexion",
    "Please wait...": "Veuillez patienter…",
    "Connection lost. Please wait for the app to reconnect, then try again.": (
        "Connexion perdue. Attendez que l'application se reconnecte, puis réessayez."
    ),
}

#: Texts Streamlit composes: a JavaScript regular expression matching the whole text, and its
#: French replacement (``$1``… are the groups).
PATTERNS: list[tuple[str, str]] = [
    (r"^View (\d+) more$", "Voir $1 de plus"),
    # A widget's help icon, a multiselect's chosen value.
    (r"^Help for (.+)$", "Aide : $1"),
    (r"^Remove (.+)$", "Retirer $1"),
    (
        r"^You can only select up to (\d+) options?\. Remove an option first\.$",
        "Vous pouvez choisir au plus $1 options. Retirez-en une d'abord.",
    ),
    # What Vega says of a chart's axes and legends to a screen reader; the end ("values from
    # 0 to 10", "3 values: a, b, c") is translated by FOLLOW_UPS.
    (r"^([XY])-axis titled '(.*)' for a \w+ scale with (.*)$", "Axe $1 « $2 », $3"),
    (r"^([XY])-axis for a \w+ scale with (.*)$", "Axe $1, $2"),
    (r"^\w+ legend titled '(.*)' for .+? with (.*)$", "Légende « $1 », $2"),
    (r"^\w+ legend for .+? with (.*)$", "Légende, $1"),
]
#: Applied, everywhere in it, to what a pattern of :data:`PATTERNS` gave (never to other texts:
#: a user's text is not rewritten piecemeal).
FOLLOW_UPS: list[tuple[str, str]] = [
    (r"values from (.*) to (.*)$", "valeurs de $1 à $2"),
    (r"(\d+) values?: ", "$1 valeur(s) : "),
    (r"(\d+) boundar(?:y|ies): ", "$1 seuil(s) : "),
    (r", ending with ", ", …, "),
]
#: Toolbar buttons are labelled "Fullscreen: <the chart's title>" for screen readers: the part
#: before ``": "`` is looked up in :data:`TEXTS`, the rest kept.


def table() -> dict[str, object]:
    """What the script receives: the texts, the patterns and their follow-ups."""
    return {
        "texts": TEXTS,
        "patterns": [list(pair) for pair in PATTERNS],
        "followUps": [list(pair) for pair in FOLLOW_UPS],
    }


def script() -> str:
    """``french_chrome.js`` with its table, as a ``<script>`` element (and the rule hiding its
    container)."""
    # "</" cannot end the script early inside JSON written this way.
    data = json.dumps(table(), ensure_ascii=False).replace("</", "<\\/")
    code = SCRIPT.read_text(encoding="utf-8").replace("/*TABLE*/ null", data, 1)
    return f"{HIDDEN}<script>{code}</script>"


def install() -> None:
    """Run the script in this page (once per page: the same element on a rerun is left as it
    is, and the script starts its observer only once per browser tab)."""
    with st.container(key=CONTAINER_KEY):
        st.html(script(), unsafe_allow_javascript=True)
