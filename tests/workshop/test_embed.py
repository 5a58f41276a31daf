"""The embed view's addresses and the ``<iframe>`` code other sites paste (geo.workshop.embed)."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from geo.explorer import state as url_state
from geo.explorer.state import ExplorerState
from geo.territory import TerritoryRef
from geo.workshop import embed

METRO = TerritoryRef("epci", "200040715")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _parsed(snippet: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(snippet)
    return parser.tags


def test_an_explorer_view_is_embedded_with_its_link_state_in_embed_mode() -> None:
    state = ExplorerState(
        territory=METRO, themes=("energie",), overlays=("covoiturage",), project=12,
        view=(45.18, 5.72, 12), order="title", text="toits & vélos",
    )  # fmt: skip
    path = embed.explorer_path(state, base_path="/carte/")
    parts = urlsplit(path)
    assert parts.path == "/carte/integrer"
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    assert query.pop("embed") == "true"
    # The view reads back as the Explorer's link would; the list's order is not the map's.
    assert "tri" not in query
    decoded = url_state.decode(query, overlays=["covoiturage"])
    assert decoded.notices == []
    assert decoded.state == ExplorerState(
        territory=METRO, themes=("energie",), overlays=("covoiturage",), project=12,
        view=(45.18, 5.72, 12), text="toits & vélos",
    )  # fmt: skip


def test_a_tour_is_embedded_by_its_number_only() -> None:
    assert embed.tour_path(7) == "/integrer?parcours=7&embed=true"
    assert embed.tour_id({"parcours": "7", "embed": "true"}) == 7
    for raw in ("", "x", "-3", "0", "٣", str(2**31), "7 "):
        assert embed.tour_id({"parcours": raw}) is None, raw
    assert embed.tour_id({"territoire": "epci:200040715"}) is None


def test_a_portrait_stop_shows_its_territory_and_an_explorer_stop_its_view() -> None:
    portrait = embed.stop_state("portrait", {"territoire": str(METRO), "indicateur": "x"})
    assert portrait.state == ExplorerState(territory=METRO) and portrait.notices == []
    explorer = embed.stop_state("explorer", {"territoire": str(METRO), "couches": "disparue"})
    assert explorer.state.territory == METRO and explorer.state.overlays == ()
    assert explorer.notices  # the layer that is gone is said, not silently dropped


def test_the_snippet_is_an_iframe_of_the_given_size_and_title() -> None:
    src = "https://carte.example.org/integrer?parcours=7&embed=true"
    snippet = embed.iframe_snippet(src, width=800, height=500, title="Parcours — Carte")
    assert snippet.startswith("<iframe ") and snippet.endswith("></iframe>")
    [(tag, attributes)] = _parsed(snippet)
    assert tag == "iframe"
    assert attributes["src"] == src
    assert (attributes["width"], attributes["height"]) == ("800", "500")
    assert attributes["title"] == "Parcours — Carte"
    assert "allowfullscreen" in attributes and attributes["loading"] == "lazy"
    full = _parsed(embed.iframe_snippet(src, width=None, height=300, title="t"))[0][1]
    assert full["width"] == "100%"


def test_a_title_cannot_break_out_of_its_attribute() -> None:
    title = 'Parcours "x" onload="alert(1)" <script>alert(2)</script> & co'
    snippet = embed.iframe_snippet("https://a.example/integrer?a=1&b=2", width=640,
                                   height=480, title=title)  # fmt: skip
    [(tag, attributes)] = _parsed(snippet)
    assert tag == "iframe" and "onload" not in attributes
    assert (
        attributes["title"] == title and attributes["src"] == "https://a.example/integrer?a=1&b=2"
    )
    assert "<script>" not in snippet


@pytest.mark.parametrize(("width", "height"), [(100, 500), (800, 100), (5000, 500), (800, 9000)])
def test_a_size_out_of_range_is_refused(width: int, height: int) -> None:
    with pytest.raises(ValueError, match="hors de"):
        embed.iframe_snippet("https://a.example/integrer", width=width, height=height, title="t")


def test_the_frame_title_names_the_map_then_the_site() -> None:
    assert embed.frame_title("  Énergie   à Grenoble ") == (
        "Énergie à Grenoble — Carte des communs énergie & mobilité"
    )
    assert embed.frame_title("") == "Carte des communs énergie & mobilité"
