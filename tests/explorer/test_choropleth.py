"""The Explorer's choropleth indicators: ids, values, outlines within the budget."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from geo.errors import MapTooHeavyError
from geo.explorer import choropleth as choropleths
from geo.mapping import base as maps


def test_indicator_ids_and_values() -> None:
    assert choropleths.indicator_ids(["irve:points_de_charge"]) == [
        "projets:departement",
        "projets:region",
        "projets:epci",
        "projets:commune",
        "irve:points_de_charge:departement",
        "irve:points_de_charge:region",
        "irve:points_de_charge:epci",
        "irve:points_de_charge:commune",
    ]
    assert choropleths.parse_indicator("projets:region") == ("projets", None, "region")
    assert choropleths.parse_indicator("irve:puissance_kw:departement") == (
        "irve",
        "puissance_kw",
        "departement",
    )
    codes = pd.Series(["38", "38", "69", None])
    assert choropleths.indicator_values(codes).to_dict() == {"38": 2.0, "69": 1.0}
    population = pd.Series({"38": 20_000.0, "69": 10_000.0, "75": 5_000.0, "99": 0.0})
    per = choropleths.indicator_values(codes, population)
    assert per.to_dict() == {"38": 1.0, "69": 1.0, "75": 0.0}


def _squares(codes: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": codes, "nom": [f"Commune {c}" for c in codes]},
        geometry=[box(i, 45, i + 0.5, 45.5) for i in range(len(codes))],
        crs=4326,
    )


def test_choropleth_outlines_fit_the_browser_budget() -> None:
    frame = _squares(["38185", "38151", "69123"])
    read: list[object] = []

    def outlines(codes: object) -> gpd.GeoDataFrame:
        read.append(codes)
        return frame if codes is None else frame[frame["code"].isin(set(codes))]

    size = maps.geojson_size(maps.outlines_geojson(frame))
    one = maps.geojson_size(maps.outlines_geojson(frame.iloc[:1]))
    draw = choropleths.drawable_outlines
    # Within budget: every outline, territory or not.
    assert draw(outlines, "commune", national_size=size, budget=size) is frame
    assert len(draw(outlines, "commune", national_size=size, inside={"38185"}, budget=size)) == 3
    # Over budget: a French notice without a territory, its communes with one.
    with pytest.raises(MapTooHeavyError, match="choisissez d'abord un territoire"):
        draw(outlines, "commune", national_size=size, budget=size - 1)
    read.clear()
    kept = draw(outlines, "commune", national_size=size, inside={"38185", "38151"}, budget=size - 1)
    assert list(kept["code"]) == ["38185", "38151"]
    assert read == [{"38185", "38151"}]  # only the territory's outlines are read
    # A territory whose own communes are still too heavy.
    with pytest.raises(MapTooHeavyError, match="plus petit"):
        draw(outlines, "commune", national_size=size, inside={"38185", "38151"}, budget=one)


def test_codes_inside_a_territory() -> None:
    communes = pd.DataFrame(
        {
            "code": ["38185", "38151", "69123"],
            "epci": ["200040715", "200040715", "200046977"],
            "departement": ["38", "38", "69"],
            "region": ["84", "84", "84"],
        }
    )
    inside = ["38185", "38151"]
    assert choropleths.codes_inside(communes, inside, "commune") == {"38185", "38151"}
    assert choropleths.codes_inside(communes, inside, "epci") == {"200040715"}
    assert choropleths.codes_inside(communes, inside, "departement") == {"38"}
    assert choropleths.indicator_label("projets:epci") == "Projets sélectionnés, par EPCI"
    assert choropleths.indicator_label("projets:commune") == "Projets sélectionnés, par commune"


def test_a_lower_bound_of_the_size_is_enough_to_refuse() -> None:
    frame = _squares(["38185", "38151", "69123"])
    vertices = int(shapely.get_num_coordinates(frame.geometry.to_numpy()).sum())
    assert maps.geojson_size_at_least(vertices) <= maps.geojson_size(maps.outlines_geojson(frame))
