"""Session-state keys, declared once. Widget keys are also how AppTest and the browser tests
find the widgets (``st-key-…`` CSS classes): renaming one is a change of interface."""

from __future__ import annotations

# --- Explorer filters (sidebar widgets) -------------------------------------------------------
TEXT = "f_texte"
THEMES = "f_themes"
CATEGORIES = "f_categories"
STAGES = "f_etapes"
CARRIERS = "f_porteurs"
COMMUN = "f_commun"
TERRITORY = "f_territoire"
TERRITORY_CHOICE = "f_territoire_choix"  # + ":" + the query, one widget per query
NEAR = "f_pres"
RADIUS = "f_rayon"
BASEMAP = "f_fond"
OVERLAYS = "f_couches"
#: What the choropleth shows (``projets`` or ``dataset:aggregate``), and by which level.
INDICATOR = "f_indicateur"
INDICATOR_LEVEL = "f_indicateur_niveau"
ORDER = "f_tri"

# --- Every page -------------------------------------------------------------------------------
#: The title of the page this run shows, and of the one the run before showed.
CURRENT_PAGE = "page_courante"
PREVIOUS_PAGE = "page_precedente"

# --- Explorer page state ----------------------------------------------------------------------
#: The widgets were set from the URL once in this session.
RESTORED = "restored"
#: French notices about the URL, shown once.
NOTICES = "notices"
#: (query typed, TerritoryRef) restored from the URL, so the search box finds it again.
RESTORED_TERRITORY = "territoire_restaure"
PROJECT = "projet"
#: A project was just chosen in the list: its sheet is brought into view.
SHOW_SHEET = "montrer_fiche"
#: The "chosen project not in the selection" notice was shown.
PROJECT_ABSENT = "projet_absent"
#: The map view last returned, and the one the link opened with.
VIEW = "vue"
INITIAL_VIEW = "vue_initiale"
#: (territory, place) the link opened with: its view holds while they are unchanged.
INITIAL_FRAME = "cadre_initial"
FOLLOW_VIEW = "suivre_vue"
#: The "près de" query the list was last sorted by distance for.
ORDERED_NEAR = "pres_trie"
#: The last map click handled (st_folium returns it again at every rerun).
HANDLED_CLICK = "clic_traite"
MAP = "explorer-carte"

# --- Carte page -------------------------------------------------------------------------------
SEARCH = "recherche"

# --- Portrait page ----------------------------------------------------------------------------
PORTRAIT_SEARCH = "portrait_recherche"
PORTRAIT_REFERENCE = "portrait_reference"
PORTRAIT_INDICATOR = "portrait_indicateur"
PORTRAIT_PER_10K = "portrait_pour_10k"

# --- Proposer un projet (contribution page) ---------------------------------------------------
#: Widget keys of the form are CONTRIBUTION_PREFIX + the model's field name (``c_title``…).
CONTRIBUTION_PREFIX = "c_"
#: Everything typed, kept outside the widgets so that it survives a visit to another page.
DRAFT = "c_brouillon"
CARRIER_ROWS = "c_porteurs_lignes"
CARRIER_NAME = "c_porteur_nom_"  # + row number
CARRIER_TYPE = "c_porteur_type_"  # + row number
CARRIER_SIREN = "c_porteur_siren_"  # + row number
PARTNER_ROWS = "c_partenaires_lignes"
PARTNER_NAME = "c_partenaire_nom_"  # + row number
PARTNER_TYPE = "c_partenaire_type_"  # + row number
PARTNER_SIREN = "c_partenaire_siren_"  # + row number
#: The lesson learned the form edits, and the project's older ones (kept as they are).
LESSON_WORKED = "c_lecon_marche"
LESSON_HARD = "c_lecon_difficile"
LESSON_DIFFERENTLY = "c_lecon_autrement"
LESSON_DATE = "c_lecon_date"
LESSONS_KEPT = "c_lecons_gardees"
ADDRESS = "c_adresse"
CANDIDATES = "c_candidats"
CANDIDATE = "c_candidat"
GEOCODE_NOTICE = "c_avis_adresse"
PLACE = "c_lieu"
PLACE_CLICK = "c_clic_traite"
PLACE_VIEW = "c_vue"
PLACE_MAP = "proposer-carte"
HONEYPOT = "c_site_verification"
FORM_ERRORS = "c_erreurs"
SUBMITTED = "c_envoye"
SUBMISSIONS = "c_envois"
EDITS = "c_modifications"
#: The project of the edit link whose values were loaded into the form: ``(id, token)``.
EDITING = "c_edition"

# --- Signaler (Explorer sheet) ----------------------------------------------------------------
REPORTER = "visiteur_cle"
REPORTED = "signales"
REPORTS_SENT = "signalements_envoyes"

# --- Modération -------------------------------------------------------------------------------
MODERATOR = "moderateur"
LOGIN_THROTTLE = "connexion_essais"
LOGIN_NOTICE = "connexion_avis"
INBOX_TERRITORY = "m_territoire"
INBOX_THEMES = "m_themes"
INBOX_AGE = "m_anciennete"
INBOX_SELECTED = "m_choix_"  # + project id
MODERATION_NOTICES = "m_avis"

# --- Parcours (tours) and workshops -----------------------------------------------------------
#: ``{tour id: private key}`` of the tours this browser made or opened by their private link.
TOURS_KNOWN = "parcours_connus"
#: The cookie keeping them in this browser (read when a session starts).
TOURS_COOKIE = "carte_parcours"
#: A French notice shown once on the next run (a stop added, a tour duplicated…).
TOUR_NOTICE = "parcours_avis"
#: The private link of a tour just created, shown once.
TOUR_NEW_LINK = "parcours_nouveau_lien"
TOUR_CHOICE = "parcours_choix"
TOUR_NEW_TITLE = "parcours_nouveau_titre"
STOP_TITLE = "arret_titre"
STOP_NOTE = "arret_note"
TOUR_EDITED = "parcours_edite"
TOUR_CONFIRM_DELETE = "parcours_confirmer_suppression"
WORKSHOP_TERRITORY = "atelier_territoire"
# --- Présentation -----------------------------------------------------------------------------
PRESENT_INDEX = "presentation_arret"
PRESENT_TOUR = "presentation_parcours"
PRESENT_MOVED_AT = "presentation_deplace"
PRESENT_AUTOPLAY = "presentation_auto"
#: The room's ideas known to this screen (``{number: RoomItem}``) and their version.
ROOM_ITEMS = "salle_idees"
ROOM_VERSION = "salle_version"
ROOM_CODE = "salle_code"
PRESENT_MAP = "presentation-carte"
# --- Carte intégrée (embed view, pages/integrer.py) -------------------------------------------
EMBED_TOUR = "integrer_parcours"
EMBED_STOP = "integrer_arret"
EMBED_MAP = "integrer-carte-folium"
#: « Intégrer à un site » (ui/embed.py): the buttons (a tour's: + "-" + its id) and the dialog.
EMBED_EXPLORER = "integrer-explorer"
EMBED_TOUR_BUTTON = "integrer-parcours"
EMBED_FULL_WIDTH = "integrer-pleine-largeur"
EMBED_WIDTH = "integrer-largeur"
EMBED_HEIGHT = "integrer-hauteur"
# --- Atelier (participant form) ---------------------------------------------------------------
PARTICIPANT = "participant_cle"
PARTICIPANT_COOKIE = "participant_cookie"
IDEA_CODE = "idee_code"
IDEA_TITLE = "idee_titre"
IDEA_WHAT = "idee_quoi"
IDEA_THEMES = "idee_themes"
IDEA_NAME = "idee_nom"
IDEA_ADDRESS = "idee_adresse"
IDEA_CANDIDATES = "idee_candidats"
IDEA_CANDIDATE = "idee_candidat"
IDEA_NOTICE = "idee_avis_adresse"
IDEA_PLACE = "idee_lieu"
IDEA_PLACE_SAID = "idee_lieu_refus_dit"
IDEA_CLICK = "idee_clic_traite"
IDEA_ERRORS = "idee_erreurs"
IDEA_SENT = "idee_envoyee"
IDEA_MAP = "atelier-carte"

# --- the actors' index (pages/acteurs.py) ---
ACTOR_SEARCH = "acteurs_recherche"
ACTOR_TYPES = "acteurs_types"
