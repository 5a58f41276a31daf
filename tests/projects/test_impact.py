"""A project's impact figures, as the sheet shows them."""

from __future__ import annotations

import math

from geo.projects.impact import impact_lines
from geo.text import NARROW_NBSP


def test_the_figures_present_are_shown_with_their_units_in_order() -> None:
    lines = impact_lines(
        {
            "budget_eur": 1_200_000.0,
            "power_kwc": 420.0,
            "energy_mwh_year": 480.5,
            "charging_points": 12,
            "citizen_shareholders": 310,
        }
    )
    assert lines == [
        ("Puissance installée", "420\u00a0kWc"),
        ("Production", "480,5\u00a0MWh/an"),
        ("Points de recharge", "12"),
        ("Actionnaires citoyens", "310"),
        ("Budget", f"1{NARROW_NBSP}200{NARROW_NBSP}000\u00a0€"),
    ]


def test_missing_figures_are_left_out_never_zero() -> None:
    assert impact_lines({"power_kwc": None, "budget_eur": math.nan, "title": "x"}) == []
    assert impact_lines({"charging_points": 0}) == [("Points de recharge", "0")]
