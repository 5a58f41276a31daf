"""The workshop room driven by AppTest: the participants' form (a missing theme named, a tap
outside the territory said at once, an idea typed when the room closes kept, a blocked phone
refused) and the facilitator's controls on the tour page (each idea's text, hiding several
at once, blocking a participant)."""

from __future__ import annotations

import re

import pytest
from markdown_text import shown
from reference import ROOT
from streamlit.runtime.context import ContextProxy, StreamlitCookies
from streamlit.testing.v1 import AppTest

from geo.store.project_store import ProjectFilter, ProjectStore
from geo.territory import TerritoryRef
from geo.workshop import room

ATELIER = str(ROOT / "pages" / "atelier.py")
PARCOURS = str(ROOT / "pages" / "parcours.py")
TIMEOUT = 120
METRO = TerritoryRef("epci", "200040715")
IDEAS = ProjectFilter(source="atelier")
PLACE = {"lat": 45.19, "lon": 5.72, "address": "", "approximate": False, "source": "carte",
         "label": None}  # fmt: skip
IDEA = {"title": "Une idée", "themes": ["energie"], "lat": 45.19, "lon": 5.72}


@pytest.fixture
def tour(store: ProjectStore) -> dict:
    tour_id, key = store.tours.create("Atelier PCAET", territory=str(METRO))
    store.tours.add_stop(tour_id, kind="portrait", title="La Métropole",
                         params={"territoire": str(METRO)}, token=key)  # fmt: skip
    return {"id": tour_id, "key": key}


@pytest.fixture
def session(store: ProjectStore, tour: dict) -> str:
    return store.workshops.open(
        tour["id"], territory=METRO, per_minute=2, cap=20, token=tour["key"]
    ).code


def _run(path: str, **params: str) -> AppTest:
    at = AppTest.from_file(path, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _errors(at: AppTest) -> list[str]:
    return [shown(e.value) for e in at.error]


def _text(at: AppTest) -> str:
    elements = [*at.markdown, *at.info, *at.error, *at.warning, *at.success, *at.caption]
    return " ".join(shown(str(e.value)) for e in elements)


# --- the participants' form -----------------------------------------------------------------------


def test_a_missing_theme_is_named(store: ProjectStore, session: str) -> None:
    at = _run(ATELIER, code=session)
    at.text_input(key="idee_titre").input("Des bornes au marché")
    at.session_state["idee_lieu"] = PLACE
    at.button(key="atelier-envoyer").click().run()
    assert "Choisissez au moins un thème." in _errors(at)
    assert not any("Au moins un élément" in e for e in _errors(at))
    assert store.count(IDEAS) == 0


def test_a_point_outside_the_territory_is_said_when_placed(
    store: ProjectStore, session: str
) -> None:
    at = _run(ATELIER, code=session)
    at.session_state["idee_lieu"] = PLACE | {"lat": 48.8566, "lon": 2.3522}  # Paris
    at.run()
    (error,) = [e for e in _errors(at) if "hors du territoire de l'atelier" in e]
    assert "Grenoble-Alpes-Métropole" in error  # which territory, before anything is sent
    # Also in a toast, seen on a phone whose screen ends above the text under the map; once.
    assert [t.value for t in at.toast] == [room.OUTSIDE_TOAST]
    at.run()
    assert not at.toast and error in _errors(at)
    at.session_state["idee_lieu"] = PLACE  # moved inside: the commune said, no error
    at.run()
    assert not [e for e in _errors(at) if "hors du territoire" in e]
    assert "Grenoble" in " ".join(shown(c.value) for c in at.caption)
    # Sent anyway from outside: refused, the reason said once.
    at.session_state["idee_lieu"] = PLACE | {"lat": 48.8566, "lon": 2.3522}
    at.text_input(key="idee_titre").input("À Paris")
    at.pills(key="idee_themes").set_value(["energie"])
    at.button(key="atelier-envoyer").click().run()
    assert len([e for e in _errors(at) if "hors du territoire" in e]) == 1
    assert store.count(IDEAS) == 0


def test_an_idea_typed_when_the_room_closes_is_kept(
    store: ProjectStore, tour: dict, session: str
) -> None:
    at = _run(ATELIER, code=session)
    at.text_input(key="idee_titre").input("Des bornes au marché")
    at.text_area(key="idee_quoi").input("Pour les artisans du samedi")
    at.pills(key="idee_themes").set_value(["mobilite"])
    at.session_state["idee_lieu"] = PLACE
    at.run()
    store.workshops.close(session, token=tour["key"])
    at.button(key="atelier-envoyer").click().run()
    assert store.count(IDEAS) == 0
    assert "Cet atelier vient d'être clos : votre idée n'a pas été envoyée" in _text(at)
    assert at.text_input(key="idee_titre").value == "Des bornes au marché"
    assert at.text_area(key="idee_quoi").value == "Pour les artisans du samedi"
    assert at.button(key="atelier-envoyer").disabled
    at.run()  # any later run (a tap, a check) keeps it too
    assert at.text_input(key="idee_titre").value == "Des bornes au marché"
    # Reopened: the kept idea is sent as it was.
    store.workshops.reopen(session, token=tour["key"])
    at.button(key="atelier-verifier").click().run()
    assert not at.button(key="atelier-envoyer").disabled
    at.button(key="atelier-envoyer").click().run()
    (idea,) = store.query(IDEAS).items
    assert (idea.title, idea.summary) == ("Des bornes au marché", "Pour les artisans du samedi")


def test_a_closed_room_with_nothing_typed_says_so_without_a_form(
    store: ProjectStore, tour: dict, session: str
) -> None:
    store.workshops.close(session, token=tour["key"])
    at = _run(ATELIER, code=session)
    assert "Cet atelier est clos" in _text(at)
    assert not [b for b in at.button if b.key == "atelier-envoyer"]


def _cookie_written(at: AppTest) -> str:
    """The device cookie's value the page's script writes (one fixed script)."""
    scripts = [str(h.proto.body) for h in at.get("html") if "document.cookie" in h.proto.body]
    (script,) = scripts
    found = re.search(r'carte_atelier=([^;]+); path=/; max-age=\d+; SameSite=Lax"', script)
    assert found, script
    return found.group(1)


def _with_cookie(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    """The next runs see ``value`` as this browser's cookie, as after a reload (AppTest
    cannot send cookies: the page reads them from ``st.context``)."""
    cookies = {} if value is None else {"carte_atelier": value}
    monkeypatch.setattr(ContextProxy, "cookies", property(lambda _: StreamlitCookies(cookies)))


def _send(at: AppTest, title: str) -> None:
    at.text_input(key="idee_titre").input(title)
    at.pills(key="idee_themes").set_value(["energie"])
    at.session_state["idee_lieu"] = PLACE
    at.button(key="atelier-envoyer").click().run()


def test_the_limit_per_phone_holds_across_reloads(
    store: ProjectStore, session: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two ideas a minute (the session's limit): the page reloaded keeps the phone's key by
    its signed cookie, so a third idea is refused; a cookie this server did not sign is not
    taken (that browser is a new phone)."""
    at = _run(ATELIER, code=session)
    cookie = _cookie_written(at)
    assert room.device_of(cookie, store.workshops.device_secret()) is not None
    for n in range(2):
        _send(at, f"Idée {n + 1}")
    assert store.count(IDEAS) == 2
    _with_cookie(monkeypatch, cookie)
    reloaded = _run(ATELIER, code=session)
    assert _cookie_written(reloaded) == cookie  # the same phone, its cookie kept
    _send(reloaded, "Après rechargement")
    assert any("dans la dernière minute" in e for e in _errors(reloaded))
    assert reloaded.text_input(key="idee_titre").value == "Après rechargement"
    assert store.count(IDEAS) == 2
    device, _signature = cookie.split(".")
    _with_cookie(monkeypatch, f"{device}.{'0' * 32}")  # forged: not ours
    forged = _run(ATELIER, code=session)
    assert _cookie_written(forged).split(".")[0] != device
    _send(forged, "Un autre téléphone")
    assert store.count(IDEAS) == 3


def test_a_blocked_phone_is_told_and_keeps_its_text(
    store: ProjectStore, tour: dict, session: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _run(ATELIER, code=session)
    cookie = _cookie_written(at)
    _send(at, "Première")
    at.text_input(key="idee_titre").input("En cours de frappe")
    at.run()
    store.workshops.block(session, 1, token=tour["key"])
    at.button(key="atelier-envoyer").click().run()
    assert store.count(IDEAS) == 1
    assert any("L'animateur a bloqué les idées de ce téléphone" in e for e in _errors(at))
    assert at.text_input(key="idee_titre").value == "En cours de frappe"
    assert at.button(key="atelier-envoyer").disabled
    _with_cookie(monkeypatch, cookie)  # reloaded: still that phone, told at once
    reloaded = _run(ATELIER, code=session)
    assert any("a bloqué les idées de ce téléphone" in e for e in _errors(reloaded))
    assert not [b for b in reloaded.button if b.key == "atelier-envoyer"]


# --- the facilitator's controls (tour page) -------------------------------------------------------


def test_the_facilitator_reads_each_ideas_text_as_plain_text(
    store: ProjectStore, tour: dict, session: str
) -> None:
    text = "Pour les **artisans** <b>du samedi</b> [lien](https://exemple.org)"
    store.workshops.contribute(session, IDEA | {"summary": text}, participant="p1", name="Léa")
    at = _run(PARCOURS, parcours=str(tour["id"]), jeton=tour["key"])
    (shown_text,) = [shown(m.value) for m in [*at.markdown, *at.caption] if "artisans" in m.value]
    assert text in shown_text  # every character as typed: no bold, no HTML, no link


def test_the_facilitator_hides_several_ideas_at_once_and_blocks_a_phone(
    store: ProjectStore, tour: dict, session: str
) -> None:
    for n, who in enumerate(["troll", "lea", "troll", "lea"]):
        store.workshops.contribute(session, IDEA | {"title": f"Idée {n + 1}"}, participant=who)
    at = _run(PARCOURS, parcours=str(tour["id"]), jeton=tour["key"])
    hide = at.button(key=f"masquer-selection-{session}")
    assert hide.disabled and hide.label == "Masquer la sélection (0)"
    labels = [shown(c.label) for c in at.checkbox if c.key.startswith(f"choisir-{session}-")]
    assert labels[0] == "n° 1 Idée 1 · téléphone 1" and labels[1].endswith("téléphone 2")
    for number in (1, 3, 4):
        at.checkbox(key=f"choisir-{session}-{number}").check().run()
    assert at.button(key=f"masquer-selection-{session}").label == "Masquer la sélection (3)"
    at.button(key=f"masquer-selection-{session}").click().run()
    assert "3 idées masquées." in _text(at)
    hidden = {i.number: i.hidden for i in store.workshops.changes(session).items}
    assert hidden == {1: True, 2: False, 3: True, 4: True}
    assert not any(at.checkbox(key=f"choisir-{session}-{n}").value for n in (1, 3, 4))
    at.checkbox(key=f"choisir-{session}-4").check().run()
    at.button(key=f"afficher-selection-{session}").click().run()
    assert "1 idée affichée." in _text(at)
    assert not store.workshops.changes(session).items[3].hidden
    # Block the phone of idea 3: its further ideas are refused, the list says so.
    at.button(key=f"bloquer-{session}-3").click().run()
    assert "Téléphone 1 bloqué : ses prochaines idées seront refusées." in _text(at)
    assert store.workshops.is_blocked(session, "troll")
    assert at.button(key=f"bloquer-{session}-1").label == "Débloquer"
    assert at.button(key=f"bloquer-{session}-2").label == "Bloquer"
    assert "téléphone 1 bloqué · masquée" in shown(at.checkbox(key=f"choisir-{session}-1").label)
    assert "bloqué" not in shown(at.checkbox(key=f"choisir-{session}-4").label)
    at.button(key=f"bloquer-{session}-1").click().run()
    assert not store.workshops.is_blocked(session, "troll")
