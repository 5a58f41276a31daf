"""Streamlit's own widget texts are English ("Select all", "No results", "Choose an option"):
every selectbox of the app turns its type-to-filter off and every multiselect its "Select all"
(short choices are pills). Read from the source, so that a new widget cannot forget it."""

from __future__ import annotations

import ast
from pathlib import Path

from reference import ROOT

SOURCES = sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")])


def _calls(path: Path, names: set[str]) -> list[ast.Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in names
    ]


def _keywords(call: ast.Call) -> dict[str, ast.expr]:
    return {k.arg: k.value for k in call.keywords if k.arg}


def test_no_widget_speaks_english() -> None:
    offenders = []
    for path in SOURCES:
        for call in _calls(path, {"selectbox", "multiselect"}):
            given = _keywords(call)
            mode = given.get("filter_mode")
            if not (isinstance(mode, ast.Constant) and mode.value is None):
                offenders.append(f"{path.name}:{call.lineno} {call.func.attr} filters in English")
            select_all = given.get("select_all")
            if call.func.attr == "multiselect" and not (
                isinstance(select_all, ast.Constant) and select_all.value is False
            ):
                offenders.append(f"{path.name}:{call.lineno} multiselect offers 'Select all'")
    assert offenders == []
    assert len(SOURCES) > 5
