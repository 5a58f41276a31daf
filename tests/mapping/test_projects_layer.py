"""The projects layer: escaped popups and markers, the standalone HTML map."""

from __future__ import annotations

import json
import re

import folium
import pandas as pd
import pytest

from geo.mapping import base as maps
from geo.mapping import projects as explorer_map
from geo.mapping.projects import popup_html

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(1)",
    "`${alert(1)}`\\",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_popup_escapes_everything(text: str) -> None:
    html = popup_html(
        title=text,
        carriers=[{"name": text, "type": "association"}],
        stage="idee",
        commune=text,
        link="/?projet=1",
    )
    assert "<script" not in html and "<img" not in html and "`" not in html and "${" not in html
    assert html.count("<a ") == 1 and 'href="/?projet=1"' in html


@pytest.mark.parametrize("link", ["javascript:alert(1)", "//evil.example/x", "https://e.x"])
def test_popup_link_is_ours_only(link: str) -> None:
    html = popup_html(title="t", carriers=[], stage="idee", commune=None, link=link)
    assert 'href="#"' in html


def test_markers_carry_escaped_text_in_the_rendered_map() -> None:
    frame = pd.DataFrame(
        {
            "id": [5],
            "title": [HOSTILE[1]],
            "lat": [45.19],
            "lon": [5.72],
            "themes": [["energie", "mobilite"]],
            "carriers": [[{"name": HOSTILE[0], "type": "association"}]],
            "stage": ["en_service"],
        }
    )
    m = folium.Map(tiles=None)
    explorer_map.project_layer(frame, link=lambda pid: f"/?projet={pid}").add_to(m)
    page = m.get_root().render()
    assert "onerror=" not in page.replace("onerror=&#34;", "") or "<img" not in page
    assert "<img src=x" not in page and "<script>alert" not in page
    assert explorer_map.THEME_COLOURS["both"] in page
    assert "marqueur-projet projet-5 projet-choisi" not in page
    popup = re.search(r"bindPopup\((\".*?\"), \{maxWidth", page)
    assert popup and "&lt;script&gt;" in json.loads(popup.group(1))


def test_standalone_html_inlines_leaflet() -> None:

    m = explorer_map.explorer_map(basemap="aucun", selection=None, context=None)
    frame = pd.DataFrame(
        {
            "id": [1],
            "title": ["Toits"],
            "lat": [45.19],
            "lon": [5.72],
            "themes": [["energie"]],
            "carriers": [[]],
            "stage": ["idee"],
        }
    )
    explorer_map.project_layer(frame, link=lambda pid: f"/?projet={pid}").add_to(m)
    page = explorer_map.standalone_html(m)
    assert "/app/static/" not in page
    assert "https://cdn" not in page and "jquery" not in page.lower()
    assert "L.markerClusterGroup" in page and "Leaflet 1.9.3" in page.replace('"', "")
    assert maps.FRANCE_BOUNDS  # the France view stays the default
