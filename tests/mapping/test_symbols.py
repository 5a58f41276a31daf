"""Proportional symbols of a commune table: the ODRÉ production register by filière."""

from __future__ import annotations

import json
import re

import folium
import pandas as pd
import pytest

from geo.datasets import CATALOGUE
from geo.mapping import base as maps
from geo.mapping import symbols
from geo.mapping.view import OverlayView

EVIL = '<script>alert("x")</script>'
PRODUCTION = CATALOGUE["production"]


def _data(count: int = 3) -> symbols.SymbolData:
    frame = pd.DataFrame(
        {
            "code_commune": ["38185", "38185", "38185", "38421", "99999", None][: count + 3],
            "filiere": ["Solaire", "Hydraulique", "Hydraulique", EVIL, "Éolien", "Solaire"][
                : count + 3
            ],
            "puissance_kw": [100.0, 2_000.0, 500.0, 40.0, 9_000.0, 7.0][: count + 3],
        }
    )
    points = pd.DataFrame(
        {"lon": [5.72, 5.78], "lat": [45.18, 45.20]}, index=pd.Index(["38185", "38421"])
    )
    names = {"38185": "Grenoble", "38421": EVIL}
    return symbols.prepare_symbols(frame, PRODUCTION, points, names)


def _page(group: folium.FeatureGroup) -> str:
    m = maps.base_map(offline=True)
    group.add_to(m)
    return m.get_root().render()


def _payload(page: str) -> dict:
    found = re.findall(r"\}\)\([a-z_0-9]+, (\{.*?\})\);\n", page, flags=re.S)
    return [json.loads(blob) for blob in found if '"symbols"' in blob][0]


def test_one_circle_per_commune_sized_by_power_coloured_by_main_filiere() -> None:
    data = _data()
    # Grenoble: 2 500 kW of hydro, 100 kW solar; Saint-Martin-d'Hères (38421): 40 kW.
    assert list(data.table.index) == ["38185", "38421"]
    assert data.table.loc["38185", "total"] == 2_600 and data.table.loc["38185", "main"] == (
        "Hydraulique"
    )
    assert data.unplaced == 1  # 99999 has no outline: left out, and counted
    page = _page(symbols.symbol_layer(data, OverlayView(6), credit="ODRÉ (LO)"))
    payload = _payload(page)
    [big, small] = payload["symbols"]
    assert big[2] == symbols.MAX_RADIUS and symbols.MIN_RADIUS <= small[2] < big[2]
    assert payload["colours"][big[3]] == symbols.CATEGORY_COLOURS["Hydraulique"]
    popup = payload["popups"][big[4]]
    assert "Grenoble" in popup and "Hydraulique : 2 500 kW" in popup.replace("\u202f", " ")
    assert EVIL not in page and "&lt;script&gt;" in payload["popups"][small[4]]


def test_legend_names_the_filieres_and_what_the_size_is() -> None:
    group = symbols.symbol_layer(_data(), OverlayView(6), credit="ODRÉ (LO)")
    legend = next(c for c in group._children.values() if isinstance(c, symbols.Legend))
    assert "Production d&#x27;électricité (ODRÉ)" in legend.html
    assert "Hydraulique" in legend.html and "puissance installée (kW)" in legend.html
    assert "2 communes" in legend.html.replace("\u202f", " ")


def test_a_view_sends_the_largest_communes_first_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(symbols, "MAX_SYMBOLS", 1)
    group = symbols.symbol_layer(_data(), OverlayView(6), credit="ODRÉ (LO)")
    payload = _payload(_page(group))
    assert len(payload["symbols"]) == 1 and "Grenoble" in payload["popups"][0]
    legend = next(c for c in group._children.values() if isinstance(c, symbols.Legend))
    assert "les 1 plus grandes seulement" in legend.html and "zoomer" in legend.html
    assert "sur 2" not in legend.html  # the box around the view is not what the user sees


def test_a_view_elsewhere_draws_nothing_there() -> None:
    paris = OverlayView(zoom=12, bounds=(48.80, 2.25, 48.90, 2.45))
    payload = _payload(_page(symbols.symbol_layer(_data(), paris, credit="ODRÉ (LO)")))
    assert payload["symbols"] == []


def test_production_is_offered_as_an_overlay_and_consumption_as_an_indicator() -> None:
    from geo.explorer.choropleth import figures
    from geo.mapping.overlays import overlay_datasets

    assert "production" in [d.id for d in overlay_datasets()]
    offered = figures()
    assert "consommation:conso_totale_mwh" in offered
    assert "production:puissance_kw" in offered
    assert "production:puissance_renouvelable_kw" in offered
