"""The moderation and contribution pages driven by AppTest: which login the page chooses
(OpenID Connect when an ``[auth]`` section is in the secrets, store accounts otherwise, the
configuration notice with neither), wrong passwords and expired sessions, a scoped inbox,
edit links (forged, another project's, a valid one pre-filling the form), and a form that
keeps everything typed when it is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from markdown_text import shown
from reference import ROOT
from streamlit.testing.v1 import AppTest

from geo.store.db import moderator_sessions
from geo.store.identity import Operator
from geo.store.project_store import ProjectStore

MODERATION = str(ROOT / "pages" / "moderation.py")
PROPOSER = str(ROOT / "pages" / "proposer.py")
EXPLORER = str(ROOT / "pages" / "explorer.py")
TIMEOUT = 120
OPERATOR = Operator("essai")
GRENOBLE = {"title": "Covoiturage grenoblois", "themes": ["mobilite"], "lat": 45.1885,
            "lon": 5.7245}  # fmt: skip
PARIS = {"title": "Chaufferie parisienne", "themes": ["energie"], "lat": 48.8566,
         "lon": 2.3522}  # fmt: skip


def _run(path: str, **params: str) -> AppTest:
    at = AppTest.from_file(path, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _text(at: AppTest) -> str:
    """What a person reads on the page (Markdown escapes resolved)."""
    elements = [*at.markdown, *at.info, *at.error, *at.warning, *at.success, *at.subheader]
    return " ".join(shown(str(e.value)) for e in elements)


def _log_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="m_nom").input(name)
    at.text_input(key="m_mot_de_passe").input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


# --- which login ---------------------------------------------------------------------------------


def test_without_any_configuration_the_page_says_how(store: ProjectStore) -> None:
    at = _run(MODERATION)
    assert "La modération n'est pas configurée" in _text(at)
    assert "python -m geo moderators add NOM" in _text(at)
    assert "pas de mot de passe par défaut" in _text(at)
    assert not at.text_input  # no password field, no default account


def test_an_auth_section_in_the_secrets_chooses_openid_connect(store: ProjectStore) -> None:
    store.moderators.add("camille", operator=OPERATOR)
    at = AppTest.from_file(MODERATION, default_timeout=TIMEOUT)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback",
                          "cookie_secret": "x", "client_id": "x", "client_secret": "x",
                          "server_metadata_url": "https://idp.test/.well-known/openid"}  # fmt: skip
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Se connecter"]
    assert at.button(key="m_oidc")
    assert not at.text_input  # no password form when OIDC is configured


def test_without_the_auth_section_a_store_account_gets_the_password_form(
    store: ProjectStore,
) -> None:
    store.moderators.add("camille", operator=OPERATOR)
    at = _run(MODERATION)
    assert [t.key for t in at.text_input] == ["m_nom", "m_mot_de_passe"]
    assert "La modération n'est pas configurée" not in _text(at)


# --- passwords and sessions ----------------------------------------------------------------------


def test_a_store_account_logs_in_with_its_password_only(store: ProjectStore) -> None:
    password = store.moderators.add("camille", operator=OPERATOR)
    at = _log_in(_run(MODERATION), "camille", "pas le bon")
    assert "Nom de modérateur ou mot de passe incorrect." in _text(at)
    assert "Connecté" not in _text(at)
    _log_in(at, "inconnu", password)  # the right password of another name
    assert "Nom de modérateur ou mot de passe incorrect." in _text(at)
    _log_in(at, "camille", password)
    assert "Connecté : camille" in _text(at)
    assert "Rien à modérer" in _text(at)


def test_repeated_failures_lock_the_login_out_with_a_french_delay(store: ProjectStore) -> None:
    password = store.moderators.add("camille", operator=OPERATOR)
    at = _run(MODERATION)
    for _ in range(3):
        _log_in(at, "camille", "pas le bon")
    _log_in(at, "camille", password)  # even the right password waits now
    assert "Trop de tentatives de connexion manquées : réessayez dans" in _text(at)
    assert "Connecté" not in _text(at)


def test_an_expired_session_is_said_and_asks_to_log_in_again(store: ProjectStore) -> None:
    password = store.moderators.add("camille", operator=OPERATOR)
    store.add(GRENOBLE, actor="formulaire")
    at = _log_in(_run(MODERATION), "camille", password)
    assert "À modérer : 1" in _text(at)
    past = datetime.now(UTC) - timedelta(minutes=1)
    with store.engine.begin() as connection:
        connection.execute(moderator_sessions.update().values(expires_at=past))
    at.run()
    assert not at.exception, at.exception
    assert "Votre session de modération a expiré" in _text(at)
    assert "Covoiturage grenoblois" not in _text(at)
    assert at.text_input(key="m_mot_de_passe")


def test_a_moderator_of_isere_sees_grenoble_but_not_paris(store: ProjectStore) -> None:
    from geo.territory import TerritoryRef

    password = store.moderators.add("isere", [TerritoryRef("departement", "38")],
                                    operator=OPERATOR)  # fmt: skip
    store.add(GRENOBLE, actor="formulaire")
    store.add(PARIS, actor="formulaire")
    at = _log_in(_run(MODERATION), "isere", password)
    text = _text(at)
    assert "À modérer : 1" in text
    assert "Covoiturage grenoblois" in text and "Chaufferie parisienne" not in text


def test_the_inbox_rejects_with_a_reason_and_approves_a_selection(store: ProjectStore) -> None:
    password = store.moderators.add("camille", operator=OPERATOR)
    first, _ = store.add(GRENOBLE, actor="formulaire")
    second, _ = store.add(GRENOBLE | {"title": "Vélos de Meylan"}, actor="formulaire")
    third, _ = store.add(PARIS, actor="formulaire")
    at = _log_in(_run(MODERATION), "camille", password)
    assert "À modérer : 3" in _text(at)
    at.button(key=f"m-refuser-{first}").click().run()  # no reason yet
    assert "raison du refus" in _text(at).lower() and store.get(first).status == "propose"
    at.text_area(key=f"m-raison-{first}").input("Projet déjà terminé.")
    at.button(key=f"m-refuser-{first}").click().run()
    assert f"Projet n°{first} refusé." in _text(at) and store.get(first).status == "refuse"
    at.checkbox(key=f"m_choix_{second}").check()
    at.checkbox(key=f"m_choix_{third}").check().run()
    assert "Sélection : 2 projet(s)" in _text(at)
    at.button(key="m-approuver-lot").click().run()
    assert not at.exception, at.exception
    assert [store.get(pid).status for pid in (second, third)] == ["publie", "publie"]
    assert "Rien à modérer" in _text(at)
    notes = [e.note for e in store.audit(first) if e.action == "reject"]
    assert notes == ["Projet déjà terminé."]


FULL = GRENOBLE | {
    "summary": "Des panneaux sur les écoles.",
    "description": "## Un titre de l'auteur\n\nTexte **gras**.\n\nSous-titre\n===",
    "themes": ["energie", "mobilite"], "categories": ["solaire", "eolien"],
    "stage": "en_service", "start_year": 2021, "scope": "commune",
    "carriers": [{"name": "Énergies du Drac", "type": "cooperative", "siren": "123456782"}],
    "partners": [{"name": "Ville de Grenoble", "type": "collectivite"}],
    "commons_produced": ["https://communs.exemple.fr/guide"], "licence": "CC BY-SA 4.0",
    "power_kwc": 36.5, "energy_mwh_year": 42, "citizen_shareholders": 150,
    "budget_eur": 25000,
    "lessons": [{"worked": "# Tout\n\nLa concertation.", "hard": "Le raccordement.",
                 "date": "2025-06-30"}],
}  # fmt: skip


def _headings(at: AppTest) -> list[tuple[str, str]]:
    """Every heading the page's Markdown draws: (tag, text)."""
    from markdown_it import MarkdownIt

    found = []
    for element in at.markdown:
        tokens = MarkdownIt("commonmark").parse(str(element.value))
        for opening, inline in zip(tokens, tokens[1:], strict=False):
            if opening.type == "heading_open":
                found.append((opening.tag, shown(inline.content)))
    return found


def test_a_card_shows_every_field_and_no_heading_of_the_contributor(
    store: ProjectStore,
) -> None:
    password = store.moderators.add("camille", operator=OPERATOR)
    store.add(FULL, actor="formulaire")
    at = _log_in(_run(MODERATION), "camille", password)
    text = _text(at) + " ".join(shown(str(c.value)) for c in at.caption)
    for line in ("Thèmes : Énergie, Mobilité", "Catégories : Solaire, Éolien",
                 "Étape : En service", "Année de démarrage : 2021", "Échelle : commune",
                 "Porteurs : Énergies du Drac (coopérative / SCIC, SIREN 123456782)",
                 "Partenaires : Ville de Grenoble (collectivité)",
                 "Communs produits : https://communs.exemple.fr/guide",
                 "Licence : CC BY-SA 4.0", "Puissance installée : 36,5\u00a0kWc",
                 "Production : 42\u00a0MWh/an", "Actionnaires citoyens : 150",
                 "Budget : 25\u202f000\u00a0€", "Retour du 30 juin 2025",
                 "Ce qui a marché : Tout", "La concertation.",
                 "Ce qui a été difficile : Le raccordement."):  # fmt: skip
        assert line in text, line
    assert "Un titre de l'auteur" in text and "Sous-titre" in text
    assert _headings(at) == [("h4", "Covoiturage grenoblois")]  # the card's title only


def test_a_pending_change_lists_partners_and_lessons_in_french(store: ProjectStore) -> None:
    password = store.moderators.add("camille", operator=OPERATOR)
    pid, token = store.add(FULL, actor="formulaire")
    store.set_status(pid, "publie", operator=OPERATOR)
    store.submit_change(pid, {"partners": [], "stage": "termine", "themes": ["energie"]},
                        token=token)  # fmt: skip
    at = _log_in(_run(MODERATION), "camille", password)
    text = _text(at)
    assert "Étape : En service → Terminé" in text
    assert "Thèmes : Énergie, Mobilité → Énergie" in text
    assert "Partenaires : Ville de Grenoble (collectivité) → —" in text


def test_a_duplicate_to_merge_into_is_named_by_its_title_as_typed(store: ProjectStore) -> None:
    # A list's options are plain text: a title escaped for Markdown would read "&lt;i&gt;".
    password = store.moderators.add("camille", operator=OPERATOR)
    title = "Toit solaire <i>test</i> [lien](x)"
    first, _ = store.add(GRENOBLE | {"title": title}, actor="formulaire")
    second, _ = store.add(GRENOBLE | {"title": title}, actor="formulaire")
    at = _log_in(_run(MODERATION), "camille", password)
    assert at.selectbox(key=f"m-cible-{second}").options == [f"n°{first} {title}"]


# --- edit links ----------------------------------------------------------------------------------


@pytest.mark.parametrize("link", ["forged", "other project's", "no token", "not a number"])
def test_an_invalid_edit_link_is_refused(store: ProjectStore, link: str) -> None:
    pid, _ = store.add(GRENOBLE, actor="formulaire")
    other, other_token = store.add(PARIS, actor="formulaire")
    params = {
        "forged": {"projet": str(pid), "jeton": "forge"},
        "other project's": {"projet": str(pid), "jeton": other_token},
        "no token": {"projet": str(pid)},
        "not a number": {"projet": "douze", "jeton": other_token},
    }[link]
    at = _run(PROPOSER, **params)
    assert "Ce lien d'édition n'est pas valable" in _text(at)
    assert not at.text_input and not at.button  # no form, nothing to send


def test_a_valid_edit_link_opens_the_form_filled_with_the_project(store: ProjectStore) -> None:
    pid, token = store.add(GRENOBLE | {"summary": "Un résumé."}, actor="formulaire")
    at = _run(PROPOSER, projet=str(pid), jeton=token)
    assert f"Vous modifiez le projet n°{pid}" in _text(at)
    assert at.text_input(key="c_title").value == "Covoiturage grenoblois"
    assert at.text_area(key="c_summary").value == "Un résumé."
    assert at.button(key="c_envoyer").label == "Enregistrer les modifications"
    at.text_input(key="c_title").input("Covoiturage du Grésivaudan")
    at.button(key="c_envoyer").click().run()
    assert not at.exception, at.exception
    assert "Vos modifications sont enregistrées" in _text(at)
    assert store.get(pid).title == "Covoiturage du Grésivaudan"  # still proposed: updated


def _moderator(store: ProjectStore) -> object:
    password = store.moderators.add("camille", operator=OPERATOR)
    return store.moderators.log_in("camille", password)


def test_a_refused_contributor_reads_why_and_proposes_again(store: ProjectStore) -> None:
    pid, token = store.add(GRENOBLE, actor="formulaire")
    moderator = _moderator(store)
    store.moderation.reject(pid, "Précisez qui **porte** le projet.", moderator)
    at = _run(PROPOSER, projet=str(pid), jeton=token)
    text = _text(at)
    assert f"Vous modifiez le projet n°{pid} (refusé)" in text
    assert "Votre projet a été refusé par la modération le" in text
    assert "Raison donnée par la modération : « Précisez qui **porte** le projet. »" in text
    assert "puis cliquez sur « Proposer à nouveau »" in text
    assert at.button(key="c_envoyer").label == "Proposer à nouveau"
    at.button(key="c_envoyer").click().run()  # sent again as it was refused
    assert not at.exception, at.exception
    assert "Rien n'a changé depuis le refus" in _text(at)
    assert store.get(pid).status == "refuse" and not store.moderation.inbox(moderator)
    at.text_input(key="c_porteur_nom_0").input("Covoit'38")
    at.selectbox(key="c_porteur_type_0").set_value("association")
    at.button(key="c_envoyer").click().run()
    assert not at.exception, at.exception
    text = _text(at)
    assert "Votre projet corrigé est renvoyé en modération" in text
    assert "Raison donnée" not in text and f"le projet n°{pid} (proposé)" in text
    assert at.button(key="c_envoyer").label == "Enregistrer les modifications"
    assert store.get(pid).status == "propose"
    assert [item.id for item in store.moderation.inbox(moderator)] == [pid]
    assert [e.action for e in store.audit(pid)][-2:] == ["update", "resubmit"]


def test_a_refused_change_of_a_published_project_is_said_and_kept_in_the_form(
    store: ProjectStore,
) -> None:
    pid, token = store.add(GRENOBLE, actor="formulaire")
    store.set_status(pid, "publie", operator=OPERATOR)
    store.submit_change(pid, {"title": "Covoiturage de la métropole"}, token=token)
    moderator = _moderator(store)
    store.moderation.reject(pid, "Gardez le nom local.", moderator)
    at = _run(PROPOSER, projet=str(pid), jeton=token)
    text = _text(at)
    assert "Votre modification proposée a été refusée par la modération le" in text
    assert "« Gardez le nom local. »" in text and "la version publiée reste affichée" in text
    assert at.text_input(key="c_title").value == "Covoiturage de la métropole"
    at.text_input(key="c_title").input("Covoiturage grenoblois (métropole)")
    at.button(key="c_envoyer").click().run()
    assert not at.exception, at.exception
    assert "elle attend la validation d'un modérateur" in _text(at)
    assert "Gardez le nom local." not in _text(at)
    assert store.get(pid).title == "Covoiturage grenoblois"  # published version unchanged
    (item,) = store.moderation.inbox(moderator)
    assert item.revision.project.title == "Covoiturage grenoblois (métropole)"


# --- the form ------------------------------------------------------------------------------------


def test_a_refused_form_keeps_everything_typed(store: ProjectStore) -> None:
    at = _run(PROPOSER)
    at.text_input(key="c_title").input("Covoiturage du Trièves")
    at.text_input(key="c_website").input("javascript:alert(1)")
    at.text_area(key="c_summary").input("Un résumé.")
    at.button(key="c_envoyer").click().run()
    assert not at.exception, at.exception
    text = _text(at)
    assert "n'a pas été enregistré" in text
    assert "n'est pas une adresse web" in text and "Choisissez une adresse" in text
    assert at.text_input(key="c_title").value == "Covoiturage du Trièves"
    assert at.text_input(key="c_website").value == "javascript:alert(1)"
    assert at.text_area(key="c_summary").value == "Un résumé."
    at.run()  # a rerun keeps it too
    assert at.text_input(key="c_title").value == "Covoiturage du Trièves"
    assert store.count() == 0


def _field_errors(at: AppTest) -> list[str]:
    return [shown(str(e.value)) for e in at.error]


def test_a_message_goes_as_soon_as_its_field_is_corrected(store: ProjectStore) -> None:
    at = _run(PROPOSER)
    at.button(key="c_envoyer").click().run()
    assert not at.exception, at.exception
    assert "Champ obligatoire." in _field_errors(at)  # under the title
    assert "Choisissez une adresse ou cliquez sur la carte." in _field_errors(at)
    summary = next(m for m in _field_errors(at) if "n'a pas été enregistré" in m)
    at.text_input(key="c_title").input("Covoiturage du Trièves").run()  # no new send
    assert not at.exception, at.exception
    errors = _field_errors(at)
    assert "Champ obligatoire." not in errors
    assert "Choisissez une adresse ou cliquez sur la carte." in errors  # still wrong
    assert next(m for m in errors if "n'a pas été enregistré" in m) != summary
    assert not any("Titre" in m for m in errors)
    at.text_input(key="c_start_year").input("deux mille").run()  # not flagged before sending
    assert not any("deux mille" in m or "Année" in m for m in _field_errors(at))
    at.text_input(key="c_adresse").input("38710")
    at.button(key="c_chercher").click().run()
    at.radio(key="c_candidat").set_value(0).run()
    at.multiselect(key="c_themes").select("mobilite").run()
    assert not any("n'a pas été enregistré" in m or "adresse" in m for m in _field_errors(at))
    assert store.count() == 0


def test_a_geocoder_failure_falls_back_offline_with_a_notice_and_keeps_the_form(
    store: ProjectStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on: the network is "down"
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("GEO_OFFLINE", "0")
    monkeypatch.setenv("GEO_GEOPLATEFORME_URL", f"{dead}/geocodage")
    monkeypatch.setenv("GEO_NOMINATIM_URL", dead)
    at = _run(PROPOSER)
    at.text_input(key="c_title").input("Covoiturage du Trièves")
    at.text_input(key="c_adresse").input("38710")
    at.button(key="c_chercher").click().run()
    assert not at.exception, at.exception
    text = _text(at)
    assert "les services d'adresses en ligne ne répondent pas" in text
    assert [shown(o) for o in at.radio(key="c_candidat").options][0] == "Mens (commune, Isère)"
    assert at.text_input(key="c_title").value == "Covoiturage du Trièves"
    assert at.text_input(key="c_adresse").value == "38710"
    at.radio(key="c_candidat").set_value(0).run()
    assert "Commune : Mens (38226)" in _text(at)


def test_possible_duplicates_are_listed_with_links_before_sending(store: ProjectStore) -> None:
    pid, _ = store.add(GRENOBLE | {"website": "https://covoit.test"}, actor="formulaire")
    store.set_status(pid, "publie", operator=OPERATOR)
    at = _run(PROPOSER)
    at.text_input(key="c_title").input("Covoiturage Grenoblois !")
    at.text_input(key="c_adresse").input("Grenoble")
    at.button(key="c_chercher").click().run()
    assert not at.exception, at.exception
    assert "Ces projets déjà sur la carte lui ressemblent" in _text(at)
    links = [str(m.value) for m in at.markdown if "Covoiturage grenoblois" in str(m.value)]
    assert links and f"projet={pid}" in links[0]
    at.multiselect(key="c_themes").select("mobilite")
    at.button(key="c_envoyer").click().run()  # the contributor may still send
    assert not at.exception, at.exception
    assert "Votre lien privé pour modifier ce projet" in _text(at) and store.count() == 2


def test_a_filled_honeypot_stores_nothing(store: ProjectStore) -> None:
    at = _run(PROPOSER)
    at.text_input(key="c_title").input("Robot")
    at.text_input(key="c_site_verification").input("https://spam.test")
    at.button(key="c_envoyer").click().run()
    assert not at.exception, at.exception
    assert store.count() == 0
    assert at.text_input(key="c_title").value == "Robot"


# --- Signaler (Explorer sheet) ------------------------------------------------------------------


def test_a_visitor_reports_a_published_project_which_hides_at_the_threshold(
    store: ProjectStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEO_REPORTS_TO_HIDE", "1")
    pid, _ = store.add(GRENOBLE, actor="formulaire")
    store.set_status(pid, "publie", operator=OPERATOR)
    at = _run(EXPLORER, projet=str(pid))
    assert any(b.key == f"choisir-{pid}" for b in at.button)
    at.text_area(key=f"signal-detail-{pid}").input("<b>Arrêté</b> en 2025")
    at.button(key=f"signal-envoyer-{pid}").click().run()
    assert not at.exception, at.exception
    assert "votre signalement est envoyé" in _text(at)
    entries = [e for e in store.audit(pid) if e.action == "report"]
    assert [e.note for e in entries] == [
        "Informations fausses ou trompeuses : <b>Arrêté</b> en 2025"
    ]
    again = _run(EXPLORER, projet=str(pid))  # hidden from the map until a moderator decides
    assert not any(str(b.key).startswith("choisir-") for b in again.button)
    password = store.moderators.add("camille", operator=OPERATOR)
    inbox = _log_in(_run(MODERATION), "camille", password)
    assert "signalement" in _text(inbox) and "<b>Arrêté</b> en 2025" in _text(inbox)
    assert inbox.button(key=f"m-approuver-{pid}").label == "Garder publié"
    inbox.button(key=f"m-approuver-{pid}").click().run()
    assert f"Projet n°{pid} gardé publié, signalements écartés." in _text(inbox)
    shown_again = _run(EXPLORER)
    assert any(b.key == f"choisir-{pid}" for b in shown_again.button)
