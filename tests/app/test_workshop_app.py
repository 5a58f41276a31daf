"""The workshop pages driven by AppTest: the presentation (a published tour for anyone, a
draft only with its key, steps and progress, a bad address said in French), the
participants' form (unknown and closed codes, an idea refused then sent, the limits), and the
tour page (the private link, reordering, publishing, a workshop's ideas hidden and handed to
moderation)."""

from __future__ import annotations

import pytest
from markdown_text import shown
from reference import ROOT
from streamlit.testing.v1 import AppTest

from geo.store.identity import Operator
from geo.store.project_store import ProjectFilter, ProjectStore
from geo.territory import TerritoryRef

PRESENTATION = str(ROOT / "pages" / "presentation.py")
ATELIER = str(ROOT / "pages" / "atelier.py")
PARCOURS = str(ROOT / "pages" / "parcours.py")
TIMEOUT = 120
OPERATOR = Operator("essai")
METRO = TerritoryRef("epci", "200040715")
IDEAS = ProjectFilter(source="atelier")
PLACE = {
    "lat": 45.19,
    "lon": 5.72,
    "address": "",
    "approximate": False,
    "source": "carte",
    "label": None,
}


@pytest.fixture
def tour(store: ProjectStore) -> dict:
    """A two-stop tour of the Métropole (a project put forward, then a portrait), a draft."""
    pid, _ = store.add(
        {
            "title": "Toits solaires des écoles",
            "themes": ["energie"],
            "lat": 45.1885,
            "lon": 5.7245,
        },
        actor=OPERATOR,
        status="publie",
    )
    tour_id, key = store.tours.create("Atelier PCAET", territory=str(METRO))
    store.tours.add_stop(
        tour_id,
        kind="explorer",
        title="Les toits",
        note="**Trois** écoles <script>alert(1)</script>",
        params={"territoire": str(METRO), "projet": str(pid)},
        token=key,
    )
    store.tours.add_stop(
        tour_id,
        kind="portrait",
        title="Grenoble en chiffres",
        params={"territoire": "commune:38185"},
        token=key,
    )
    return {"id": tour_id, "key": key, "project": pid}


def _run(path: str, **params: str) -> AppTest:
    at = AppTest.from_file(path, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _text(at: AppTest) -> str:
    elements = [
        *at.markdown,
        *at.info,
        *at.error,
        *at.warning,
        *at.success,
        *at.subheader,
        *at.header,
        *at.caption,
    ]
    return " ".join(shown(str(e.value)) for e in elements)


# --- presentation ---------------------------------------------------------------------------------


def test_a_draft_is_presented_with_its_key_only(store: ProjectStore, tour: dict) -> None:
    at = _run(PRESENTATION, parcours=str(tour["id"]))
    assert "n'est pas publié" in _text(at) and not at.header
    at = _run(PRESENTATION, parcours=str(tour["id"]), jeton="faux")
    assert "n'est pas publié" in _text(at)
    at = _run(PRESENTATION, parcours=str(tour["id"]), jeton=tour["key"])
    assert [h.value for h in at.header] == ["Les toits"]


def test_a_published_tour_steps_from_stop_to_stop(store: ProjectStore, tour: dict) -> None:
    store.tours.set_status(tour["id"], "publie", token=tour["key"])
    at = _run(PRESENTATION, parcours=str(tour["id"]))
    assert [h.value for h in at.header] == ["Les toits"]
    assert "1 / 2" in _text(at)
    # The note is Markdown made safe: bold kept, the script shown as nothing that runs.
    note = next(m.value for m in at.markdown if "Trois" in m.value)
    assert "**Trois**" in note and "<script>" not in note
    assert "Toits solaires des écoles" in [s.value for s in at.subheader]
    assert at.button(key="presentation-precedent").disabled
    at.button(key="presentation-suivant").click().run()
    assert [h.value for h in at.header] == ["Grenoble en chiffres"]
    assert "2 / 2" in _text(at) and at.query_params["arret"] == "2"
    assert at.button(key="presentation-suivant").disabled
    assert "habitants" in _text(at)  # the portrait's figures
    at.button(key="presentation-precedent").click().run()
    assert [h.value for h in at.header] == ["Les toits"]
    # A link to the second stop opens there.
    at = _run(PRESENTATION, parcours=str(tour["id"]), arret="2")
    assert [h.value for h in at.header] == ["Grenoble en chiffres"]


def test_autoplay_is_chosen_and_kept_in_the_address(store: ProjectStore, tour: dict) -> None:
    store.tours.set_status(tour["id"], "publie", token=tour["key"])
    at = _run(PRESENTATION, parcours=str(tour["id"]))
    assert at.query_params.get("auto") is None
    at = _run(PRESENTATION, parcours=str(tour["id"]), auto="20")
    assert at.query_params["auto"] == "20"
    assert at.session_state["presentation_auto"] == 20


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, "Aucun parcours indiqué"),
        ({"parcours": "x"}, "Aucun parcours indiqué"),
        ({"parcours": "999"}, "Aucun parcours n'a le numéro 999"),
    ],
)
def test_a_bad_address_is_said_in_french(store: ProjectStore, params: dict, expected: str) -> None:
    at = _run(PRESENTATION, **params)
    assert expected in _text(at)


def test_the_rooms_ideas_need_the_facilitators_key(store: ProjectStore, tour: dict) -> None:
    store.tours.set_status(tour["id"], "publie", token=tour["key"])
    session = store.workshops.open(
        tour["id"], territory=METRO, per_minute=3, cap=10, token=tour["key"]
    )
    store.workshops.contribute(
        session.code,
        {"title": "Une idée", "themes": ["energie"], "lat": 45.19, "lon": 5.72},
        participant="p",
    )
    at = _run(PRESENTATION, parcours=str(tour["id"]), atelier=session.code)
    assert "qu'avec le lien de l'animateur" in _text(at) and "Une idée" not in _text(at)
    at = _run(PRESENTATION, parcours=str(tour["id"]), atelier=session.code, jeton=tour["key"])
    text = _text(at)
    assert "1 idée" in text and "n° 1 — Une idée" in text
    assert any(session.code in h.value for h in at.get("html"))


# --- the participants' form -----------------------------------------------------------------------


@pytest.fixture
def session(store: ProjectStore, tour: dict) -> str:
    return store.workshops.open(
        tour["id"], territory=METRO, per_minute=2, cap=10, token=tour["key"]
    ).code


def test_unknown_and_closed_codes_are_said_in_french(
    store: ProjectStore, tour: dict, session: str
) -> None:
    at = _run(ATELIER)
    assert at.text_input(key="idee_code") is not None
    at = _run(ATELIER, code="AAAAAA")
    assert "code d'atelier est inconnu" in _text(at)
    store.workshops.close(session, token=tour["key"])
    at = _run(ATELIER, code=session.lower())
    assert "Cet atelier est clos" in _text(at)
    assert not [b for b in at.button if b.label == "Envoyer mon idée"]


def test_an_idea_refused_keeps_what_was_typed_then_is_sent(
    store: ProjectStore, session: str
) -> None:
    at = _run(ATELIER, code=session)
    assert "Grenoble-Alpes-Métropole (EPCI)" in _text(at)
    at.text_input(key="idee_titre").input("Des bornes au marché")
    at.button(key="atelier-envoyer").click().run()
    errors = [shown(e.value) for e in at.error]
    assert "Touchez la carte pour placer votre idée." in errors
    assert "Choisissez au moins un thème." in errors  # no theme chosen
    assert at.text_input(key="idee_titre").value == "Des bornes au marché"
    assert store.count(IDEAS) == 0
    at.session_state["idee_lieu"] = PLACE
    at.pills(key="idee_themes").set_value(["mobilite"])
    at.text_input(key="idee_nom").input("Camille")
    at.button(key="atelier-envoyer").click().run()
    assert any("Votre idée porte le n° 1" in shown(s.value) for s in at.success)
    assert at.text_input(key="idee_titre").value == ""
    assert at.text_input(key="idee_nom").value == "Camille"
    (idea,) = store.query(IDEAS).items
    assert (idea.status, idea.title, idea.themes) == (
        "propose",
        "Des bornes au marché",
        ["mobilite"],
    )


def test_outside_the_territory_and_over_the_limit(store: ProjectStore, session: str) -> None:
    at = _run(ATELIER, code=session)
    at.session_state["idee_lieu"] = PLACE | {"lat": 48.8566, "lon": 2.3522}
    at.text_input(key="idee_titre").input("À Paris")
    at.pills(key="idee_themes").set_value(["energie"])
    at.button(key="atelier-envoyer").click().run()
    assert any("hors du territoire de l'atelier" in shown(e.value) for e in at.error)
    for n in range(2):
        at.session_state["idee_lieu"] = PLACE
        at.text_input(key="idee_titre").input(f"Idée {n}")
        at.button(key="atelier-envoyer").click().run()
    at.session_state["idee_lieu"] = PLACE
    at.text_input(key="idee_titre").input("Une de trop")
    at.button(key="atelier-envoyer").click().run()
    assert any("dans la dernière minute" in shown(e.value) for e in at.error)
    assert at.text_input(key="idee_titre").value == "Une de trop"
    assert store.count(IDEAS) == 2


def test_an_address_found_offline_places_the_idea(store: ProjectStore, session: str) -> None:
    """Offline, communes are found by name in the reference: the one chosen among those found
    places the idea (approximately, at its centre) and its commune is said under the map."""
    at = _run(ATELIER, code=session)
    at.text_input(key="idee_adresse").input("x")
    at.button(key="atelier-chercher").click().run()
    assert "Tapez une adresse, un lieu ou une commune." in _text(at)
    assert "idee_lieu" not in at.session_state
    at.text_input(key="idee_adresse").input("Échirolles")
    at.button(key="atelier-chercher").click().run()
    (found,) = [r for r in at.radio if r.key == "idee_candidat"]
    labels = [shown(option) for option in found.options]
    assert labels[0] == "Échirolles (commune, Isère)" and len(labels) > 1
    found.set_value(0).run()
    assert not at.exception, at.exception
    place = at.session_state["idee_lieu"]
    assert place["approximate"] and 45.1 < place["lat"] < 45.2
    assert "Échirolles" in " ".join(shown(c.value) for c in at.caption)


# --- the tour page --------------------------------------------------------------------------------


def test_the_private_link_opens_the_tour_for_editing(store: ProjectStore, tour: dict) -> None:
    at = _run(PARCOURS, parcours=str(tour["id"]), jeton="faux")
    assert "n'est pas valable" in _text(at)
    assert "jeton" not in at.query_params
    at = _run(PARCOURS, parcours=str(tour["id"]), jeton=tour["key"])
    assert "jeton" not in at.query_params  # remembered, out of the address
    assert [s.value for s in at.subheader][0] == "Atelier PCAET"
    assert at.session_state["parcours_connus"] == {tour["id"]: tour["key"]}
    # Reorder: the portrait first.
    stops = store.tours.get(tour["id"]).stops
    at.button(key=f"monter-{stops[1].id}").click().run()
    assert [s.title for s in store.tours.get(tour["id"]).stops] == [
        "Grenoble en chiffres",
        "Les toits",
    ]
    at.button(key=f"statut-{tour['id']}").click().run()
    assert store.tours.get(tour["id"]).published
    assert "son lien de présentation s'ouvre sans connexion" in _text(at)
    at.button(key=f"dupliquer-{tour['id']}").click().run()
    assert len(store.tours.list()) == 2 and len(at.session_state["parcours_connus"]) == 2


def test_a_workshop_from_the_tour_page(store: ProjectStore, tour: dict) -> None:
    at = _run(PARCOURS, parcours=str(tour["id"]), jeton=tour["key"])
    at.button(key=f"ouvrir-atelier-{tour['id']}").click().run()
    (session,) = store.workshops.sessions(tour["id"])
    assert session.territory == METRO and session.open
    for n, title in enumerate(["Bonne idée", "Blague"]):
        store.workshops.contribute(
            session.code,
            {"title": title, "themes": ["energie"], "lat": 45.19, "lon": 5.72},
            participant=f"p{n}",
        )
    at.run()
    at.button(key=f"masquer-{session.code}-2").click().run()
    assert [i.hidden for i in store.workshops.changes(session.code).items] == [False, True]
    at.button(key=f"transmettre-{session.code}").click().run()
    assert "1 idée transmise à la modération." in _text(at)
    at.button(key=f"clore-{session.code}").click().run()
    assert not store.workshops.by_code(session.code).open
    assert f"atelier?code={session.code}" in " ".join(str(c.value) for c in at.code)
