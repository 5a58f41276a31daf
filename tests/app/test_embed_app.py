"""Embedding driven by AppTest: the embed view (pages/integrer.py) draws an Explorer view or a
published tour's stops and nothing else, never a draft; « Intégrer à un site » on the Parcours
page and on the Explorer gives the ``<iframe>`` code of that view (ui/embed.py)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from markdown_text import shown
from reference import ROOT
from streamlit.testing.v1 import AppTest

from geo.store.identity import Operator
from geo.store.project_store import ProjectStore
from geo.territory import TerritoryRef

EMBED = str(ROOT / "pages" / "integrer.py")
PARCOURS = str(ROOT / "pages" / "parcours.py")
EXPLORER = str(ROOT / "pages" / "explorer.py")
TIMEOUT = 120
OPERATOR = Operator("essai")
METRO = TerritoryRef("epci", "200040715")
GRENOBLE = TerritoryRef("commune", "38185")


@pytest.fixture
def tour(store: ProjectStore) -> dict:
    """A published two-stop tour (the Métropole with a project, then Grenoble's portrait)."""
    pid, _ = store.add(
        {"title": "Toits solaires des écoles", "themes": ["energie"], "lat": 45.1885,
         "lon": 5.7245},
        actor=OPERATOR, status="publie",
    )  # fmt: skip
    tour_id, key = store.tours.create("Énergie à Grenoble", territory=str(METRO))
    store.tours.add_stop(
        tour_id, kind="explorer", title="La Métropole",
        params={"territoire": str(METRO), "projet": str(pid)}, token=key,
    )  # fmt: skip
    store.tours.add_stop(
        tour_id, kind="portrait", title="Grenoble en chiffres",
        params={"territoire": str(GRENOBLE)}, token=key,
    )  # fmt: skip
    store.tours.set_status(tour_id, "publie", token=key)
    return {"id": tour_id, "key": key, "project": pid}


def _run(path: str, **params: str) -> AppTest:
    at = AppTest.from_file(path, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _text(at: AppTest) -> str:
    elements = [*at.markdown, *at.info, *at.error, *at.warning, *at.caption]
    return " ".join(shown(str(e.value)) for e in elements)


def _maps(at: AppTest) -> list[str]:
    """The arguments of each map drawn (the map's script and layers), as text."""
    return [
        json.dumps(json.loads(e.proto.json_args), ensure_ascii=False)
        for e in at.get("component_instance")
    ]


# --- the embed view ---------------------------------------------------------------------------


def test_an_explorer_view_is_its_map_and_nothing_else(store: ProjectStore, tour: dict) -> None:
    at = _run(EMBED, territoire=str(METRO), themes="energie", embed="true")
    [drawn] = _maps(at)
    assert f"territoire-epci-{METRO.code}" in drawn and "Toits solaires des " in drawn
    # No title, no button, no link to another page: a map and its legend (in the map).
    assert not at.title and not at.button and not at.get("page_link") and not _text(at)


def test_a_stale_part_of_an_embedded_view_is_said(store: ProjectStore) -> None:
    at = _run(EMBED, territoire=str(METRO), couches="disparue")
    assert len(_maps(at)) == 1
    assert "couches" in _text(at) and "ignoré" in _text(at)


def test_a_published_tour_steps_from_stop_to_stop(store: ProjectStore, tour: dict) -> None:
    at = _run(EMBED, parcours=str(tour["id"]), embed="true")
    assert "Énergie à Grenoble — La Métropole" in _text(at) and "1 / 2" in _text(at)
    [drawn] = _maps(at)
    assert f"territoire-epci-{METRO.code}" in drawn and f"projet-vedette-{tour['project']}" in drawn
    assert at.button(key="integrer-precedent").disabled
    at.button(key="integrer-suivant").click().run()
    assert "Grenoble en chiffres" in _text(at) and "2 / 2" in _text(at)
    assert f"territoire-commune-{GRENOBLE.code}" in _maps(at)[0]
    assert at.button(key="integrer-suivant").disabled
    at = _run(EMBED, parcours=str(tour["id"]), arret="2")
    assert "2 / 2" in _text(at)


def test_a_draft_is_never_shown_even_with_its_key(store: ProjectStore, tour: dict) -> None:
    store.tours.set_status(tour["id"], "brouillon", token=tour["key"])
    for params in ({}, {"jeton": tour["key"]}):
        at = _run(EMBED, parcours=str(tour["id"]), **params)
        assert "n'est pas publié" in _text(at)
        assert not _maps(at) and "La Métropole" not in _text(at)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("999", "Aucun parcours n'a le numéro 999"), ("x", "désigne un parcours qui n'existe pas")],
)
def test_a_bad_tour_is_said_in_french(store: ProjectStore, raw: str, expected: str) -> None:
    at = _run(EMBED, parcours=raw)
    assert expected in _text(at) and not _maps(at)


# --- « Intégrer à un site » -------------------------------------------------------------------


class _Frame(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.attributes: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag == "iframe"
        self.attributes = dict(attrs)


def _snippet(at: AppTest) -> dict[str, str | None]:
    """The ``<iframe>`` code the dialog shows, read as a browser would."""
    [code] = [c.value for c in at.code if c.value.startswith("<iframe")]
    frame = _Frame()
    frame.feed(code)
    return frame.attributes


def _query(src: str | None) -> dict[str, str]:
    parts = urlsplit(str(src))
    assert parts.path == "/integrer"
    return {name: values[-1] for name, values in parse_qs(parts.query).items()}


def test_a_published_tour_gives_the_code_of_its_embed_view(store: ProjectStore, tour: dict) -> None:
    at = _run(PARCOURS, parcours=str(tour["id"]), jeton=tour["key"])
    at.button(key=f"integrer-parcours-{tour['id']}").click().run()
    frame = _snippet(at)
    # Never the tour's key: the code is pasted where anyone reads it.
    assert _query(frame["src"]) == {"parcours": str(tour["id"]), "embed": "true"}
    assert tour["key"] not in str(frame["src"])
    assert frame["title"] == "Énergie à Grenoble — Carte des communs énergie & mobilité"
    assert (frame["width"], frame["height"]) == ("100%", "500")
    # Run here without a browser, the site's address is unknown: said, not guessed.
    assert "L'adresse de ce site n'est pas connue" in _text(at)


def test_a_draft_tour_cannot_be_embedded(store: ProjectStore, tour: dict) -> None:
    store.tours.set_status(tour["id"], "brouillon", token=tour["key"])
    at = _run(PARCOURS, parcours=str(tour["id"]), jeton=tour["key"])
    button = at.button(key=f"integrer-parcours-{tour['id']}")
    assert button.disabled and "Publiez d'abord" in str(button.help)


def test_the_explorer_gives_the_code_of_the_view_shown(store: ProjectStore, tour: dict) -> None:
    at = _run(EXPLORER, territoire=str(METRO), themes="energie")
    at.button(key="integrer-explorer").click().run()
    frame = _snippet(at)
    assert _query(frame["src"]) == {
        "territoire": str(METRO), "themes": "energie", "embed": "true"
    }  # fmt: skip
    assert str(frame["title"]).startswith("Grenoble-Alpes-Métropole — énergie")
    assert "« Partager cette vue »" in _text(at)
