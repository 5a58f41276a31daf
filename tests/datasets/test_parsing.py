"""Table tests of the value repairs every loader shares (each fault seen in real files)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import territories

from geo.datasets.parsing import (
    DATE_DTYPE,
    CommuneCodes,
    in_france,
    orient_lon_lat,
    parse_bool,
    parse_coordinate_pair,
    parse_date,
    parse_float,
    parse_int,
    parse_power_kw,
    text,
)


def _one(parsed, index: int = 0):
    value = parsed.values.iloc[index]
    return None if value is None or pd.isna(value) else value


def _repairs(parsed) -> set[str]:
    return {kind for kind, mask in parsed.repairs.items() if mask[0]}


# --- power ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kw", "repairs"),
    [
        ("22", 22.0, set()),
        ("3.7", 3.7, set()),
        ("22000", 22.0, {"puissance_en_watts"}),  # some publishers write W
        ("7400", 7.4, {"puissance_en_watts"}),
        ("22 kW", 22.0, {"puissance_texte"}),
        ("3,7kW", 3.7, {"puissance_texte"}),
        ("22 kva", 22.0, {"puissance_texte"}),
        ("150 KW", 150.0, {"puissance_texte"}),
        ("7400 W", 7.4, {"puissance_texte", "puissance_en_watts"}),
        ("0,35 MW", 350.0, {"puissance_texte"}),
        (" 50 ", 50.0, set()),
        ("999", 999.0, set()),
        ("1000", 1.0, {"puissance_en_watts"}),
    ],
)
def test_power_in_kw(raw: str, kw: float, repairs: set[str]) -> None:
    parsed = parse_power_kw(pd.Series([raw]))
    assert _one(parsed) == pytest.approx(kw)
    assert not parsed.invalid[0]
    assert _repairs(parsed) == repairs


@pytest.mark.parametrize("raw", ["rapide", "22 kW ou 11 kW", "kW"])
def test_power_unreadable_is_invalid_not_a_crash(raw: str) -> None:
    parsed = parse_power_kw(pd.Series([raw]))
    assert _one(parsed) is None and parsed.invalid[0]


def test_power_missing_is_missing_not_invalid() -> None:
    parsed = parse_power_kw(pd.Series(["", None, "  "]))
    assert parsed.values.isna().all() and not parsed.invalid.any()


def test_power_watt_guess_can_be_turned_off_for_power_plants() -> None:
    parsed = parse_power_kw(pd.Series(["1310000"]), watts_from=None)
    assert _one(parsed) == 1_310_000.0 and not _repairs(parsed)


# --- booleans -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value", "respelt"),
    [
        ("true", True, False),
        ("false", False, False),
        ("TRUE", True, True),
        ("True", True, True),
        ("FALSE", False, True),
        ("1", True, True),
        ("0", False, True),
        ("oui", True, True),
        ("Non", False, True),
        ("vrai", True, True),
        ("faux", False, True),
        (" true ", True, False),
    ],
)
def test_booleans(raw: str, value: bool, respelt: bool) -> None:
    parsed = parse_bool(pd.Series([raw]))
    assert bool(parsed.values.iloc[0]) is value
    assert parsed.values.dtype == "boolean"
    assert bool(parsed.repairs["booleen_orthographe"][0]) is respelt
    assert not parsed.invalid[0]


@pytest.mark.parametrize(("raw", "invalid"), [("", False), (None, False), ("peut-être", True)])
def test_boolean_missing_or_unreadable_is_na(raw: str | None, invalid: bool) -> None:
    parsed = parse_bool(pd.Series([raw], dtype=object))
    assert parsed.values.isna().iloc[0] and bool(parsed.invalid[0]) is invalid


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected", "repairs"),
    [
        ("2023-07-10", date(2023, 7, 10), set()),
        ("2023-06-28T11:46:08.539000+00:00", date(2023, 6, 28), set()),
        ("10/07/2023", date(2023, 7, 10), {"date_format"}),
        ("24-06-2019", date(2019, 6, 24), {"date_format"}),  # covoiturage invalid example
        ("2020/05/01", date(2020, 5, 1), {"date_format"}),
        ("01/01/1900", None, {"date_fictive"}),  # the ODRÉ placeholder
        ("1900-01-01", None, {"date_fictive"}),
        ("", None, set()),
    ],
)
def test_dates(raw: str, expected: date | None, repairs: set[str]) -> None:
    parsed = parse_date(pd.Series([raw]))
    assert parsed.values.dtype == DATE_DTYPE
    assert _one(parsed) == expected
    assert _repairs(parsed) == repairs
    assert not parsed.invalid[0]


@pytest.mark.parametrize("raw", ["31/02/2020", "2020-13-01", "hier", "1650-01-01"])
def test_impossible_dates_are_invalid(raw: str) -> None:
    parsed = parse_date(pd.Series([raw]))
    assert _one(parsed) is None and parsed.invalid[0]


# --- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value", "comma"),
    [("48.3453", 48.3453, False), ("48,3453", 48.3453, True), (" 1 234,5", 1234.5, True)],
)
def test_floats(raw: str, value: float, comma: bool) -> None:
    parsed = parse_float(pd.Series([raw]))
    assert _one(parsed) == pytest.approx(value)
    assert bool(parsed.repairs["nombre_virgule"][0]) is comma


@pytest.mark.parametrize(
    ("raw", "value", "invalid"),
    [("12", 12, False), ("12.0", 12, False), ("1 200", 1200, False), ("12.5", None, True)],
)
def test_integers(raw: str, value: int | None, invalid: bool) -> None:
    parsed = parse_int(pd.Series([raw]))
    assert parsed.values.dtype == "Int64"
    assert _one(parsed) == value and bool(parsed.invalid[0]) is invalid


# --- coordinates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "first", "second"),
    [
        ("[7.4871,48.3453]", 7.4871, 48.3453),
        ("[-1.4292, 46.7762]", -1.4292, 46.7762),
        ("[7.48710500,48.345345]", 7.487105, 48.345345),
        ("[5.7145295,45.191463]\n", 5.7145295, 45.191463),  # stationnement cyclable example
        ("48,3453 ; 7,4871", 48.3453, 7.4871),
        ("48.3453 7.4871", 48.3453, 7.4871),
        ("POINT(2.35 48.85)", 2.35, 48.85),
        ("[0,0]", 0.0, 0.0),
    ],
)
def test_coordinate_pairs(raw: str, first: float, second: float) -> None:
    a, b, invalid = parse_coordinate_pair(pd.Series([raw]))
    assert (a[0], b[0]) == pytest.approx((first, second)) and not invalid[0]


@pytest.mark.parametrize(("raw", "invalid"), [("n/a", True), ("[7.48]", True), ("", False)])
def test_unreadable_coordinate_pairs(raw: str, invalid: bool) -> None:
    a, b, bad = parse_coordinate_pair(pd.Series([raw]))
    assert math.isnan(a[0]) and math.isnan(b[0]) and bool(bad[0]) is invalid


@pytest.mark.parametrize(
    ("lon", "lat", "inside"),
    [
        (2.35, 48.85, True),  # Paris
        (9.45, 42.70, True),  # Bastia
        (-61.53, 16.24, True),  # Pointe-à-Pitre
        (-61.07, 14.60, True),  # Fort-de-France
        (-52.33, 4.94, True),  # Cayenne
        (55.45, -20.88, True),  # Saint-Denis de La Réunion
        (45.23, -12.78, True),  # Mamoudzou
        (-56.17, 46.78, True),  # Saint-Pierre
        (-62.85, 17.90, True),  # Gustavia
        (-149.57, -17.53, True),  # Papeete
        (166.45, -22.27, True),  # Nouméa
        (0.0, 0.0, False),
        (48.85, 2.35, False),  # Paris swapped: the Gulf of Guinea
        (12.5, 41.9, False),  # Rome
        (-3.70, 40.42, False),  # Madrid
    ],
)
def test_in_france(lon: float, lat: float, inside: bool) -> None:
    assert bool(in_france(np.array([lon]), np.array([lat]))[0]) is inside


def test_orientation_decides_by_which_order_falls_in_france() -> None:
    lon = np.array([7.4871, 48.3453, -20.88, 0.0, 12.5, np.nan, 45.23])
    lat = np.array([48.3453, 7.4871, 55.45, 0.0, 60.1, 48.0, -12.78])
    found = orient_lon_lat(lon, lat)
    np.testing.assert_allclose(found.lon[:3], [7.4871, 7.4871, 55.45])
    np.testing.assert_allclose(found.lat[:3], [48.3453, 48.3453, -20.88])
    assert found.swapped.tolist() == [False, True, True, False, False, False, False]
    assert found.zero.tolist() == [False, False, False, True, False, False, False]
    assert found.outside.tolist() == [False, False, False, False, True, False, False]
    assert found.missing.tolist() == [False, False, False, False, False, True, False]


# --- commune codes --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def codes() -> CommuneCodes:
    return CommuneCodes(territories().cog)


@pytest.mark.parametrize(
    ("raw", "expected", "repairs"),
    [
        ("38185", "38185", set()),  # Grenoble
        ("6084", "06084", {"code_insee_zero_initial"}),  # lost leading zero (Mouans-Sartoux)
        ("78 575", "78575", {"code_insee_espaces"}),
        ("2a004", "2A004", set()),
        ("6084.0", "06084", {"code_insee_zero_initial"}),  # a spreadsheet's number
        ("38000", "38185", {"code_insee_code_postal"}),  # Grenoble's postal code
        ("75001", "75056", {"code_insee_code_postal"}),  # schema-irve example: Paris 1er
        # Paris 16e's arrondissement code, and one of its postal codes: read as the code.
        ("75116", "75056", {"code_insee_ancien"}),
        ("75101", "75056", {"code_insee_ancien"}),  # arrondissement municipal
        ("80330", "80330", set()),  # a commune code that is also Longueau's postal code
    ],
)
def test_commune_codes(codes: CommuneCodes, raw: str, expected: str, repairs: set[str]) -> None:
    parsed = codes.clean(pd.Series([raw]))
    assert parsed.values.iloc[0] == expected
    assert _repairs(parsed) == repairs
    assert not parsed.invalid[0]


def test_commune_codes_unknown_or_missing(codes: CommuneCodes) -> None:
    parsed = codes.clean(pd.Series(["zzz", "", None, "99999"], dtype=object))
    assert parsed.values.isna().all()
    assert parsed.invalid.tolist() == [True, False, False, True]


def test_postal_code_shared_by_communes_is_left_to_the_point(codes: CommuneCodes) -> None:
    # 38660 serves several communes of Isère: no single INSEE code, and not an error.
    parsed = codes.clean(pd.Series(["38660"]))
    assert parsed.values.iloc[0] is None and not parsed.invalid[0]
    assert parsed.repairs["code_insee_code_postal"][0]


def test_disagreement_accepts_postal_codes_of_the_located_commune(codes: CommuneCodes) -> None:
    published = pd.Series(["38185", "38000", "13001", "38185", None, "38660"])
    located = pd.Series(["38185", "38185", "13055", "38421", "38185", None], dtype=object)
    assert codes.disagree(published, located).tolist() == [False, False, False, True, False, False]


def test_text_strips_and_empties_to_missing() -> None:
    assert text(pd.Series([" a ", "", "  ", None], dtype=object)).isna().tolist() == [
        False,
        True,
        True,
        True,
    ]


# --- parsing each distinct value once gives the same answer -------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "true",
                "TRUE",
                "0",
                "oui",
                "",
                None,
                "x",
                "22",
                "22000",
                "3,7kW",
                "01/01/1900",
                "2023-07-10",
                "24-06-2019",
                "38 185",
                "6084",
            ]
        ),
        min_size=0,
        max_size=60,
    )
)
def test_distinct_value_parsing_equals_direct_parsing(cells: list[str | None]) -> None:
    series = pd.Series(cells, dtype="str")
    for parse in (parse_bool, parse_power_kw, parse_date, parse_int):
        fast = parse(series)
        direct = parse.__wrapped__(series)
        pd.testing.assert_series_equal(fast.values, direct.values, check_names=False)
        np.testing.assert_array_equal(fast.invalid, direct.invalid)
        assert fast.repairs.keys() == direct.repairs.keys()
        for kind in fast.repairs:
            np.testing.assert_array_equal(fast.repairs[kind], direct.repairs[kind])
