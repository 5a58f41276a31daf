"""The layering rule of CONTRIBUTING.md, checked on the imports of every module of ``geo``:
``geo`` never imports Streamlit, and each package imports only the packages below it."""

from __future__ import annotations

import ast

import pytest
from reference import ROOT

GEO = ROOT / "geo"
#: Who may import whom (top-level names under ``geo``); the CLI and benchmarks use everything.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "text": set(),
    "settings": {"errors"},
    "sources": {"errors", "settings", "datasets"},
    "territory": {"errors", "settings", "text", "sources"},
    "datasets": {"errors", "settings", "text", "territory", "sources"},
    "indicators": {"errors", "settings", "text", "territory", "sources", "datasets"},
    "geocode": {"errors", "settings", "text", "territory"},
    "projects": {"errors", "settings", "text", "territory", "datasets", "store"},
    "store": {"errors", "settings", "text", "territory", "projects"},
    "mapping": {"errors", "settings", "text", "datasets", "projects"},
    "explorer": {"errors", "settings", "text", "territory", "datasets", "indicators", "geocode",
                 "projects", "store", "mapping"},
    "contribute": {"errors", "settings", "text", "territory", "datasets", "indicators",
                   "geocode", "projects", "store", "mapping"},
    "communs": {"errors", "settings", "text", "territory", "datasets", "indicators", "geocode",
                "projects", "store", "mapping", "explorer"},
    "portrait": {"errors", "settings", "text", "territory", "datasets", "indicators", "geocode",
                 "projects", "store", "mapping", "sources", "explorer"},
    "workshop": {"errors", "settings", "text", "territory", "datasets", "indicators", "geocode",
                 "projects", "store", "mapping", "explorer"},
    "kit": {"errors", "settings", "text", "territory", "datasets", "indicators", "geocode",
            "projects", "store", "mapping", "sources"},
}  # fmt: skip
EVERYTHING = {"cli", "bench", "__main__", "__init__"}


def _imports(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            if node.module == "geo":
                names.update(f"geo.{alias.name}" for alias in node.names)
    return names


MODULES = sorted(p for p in GEO.rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(GEO)))
def test_geo_never_imports_streamlit(path) -> None:
    bad = {name for name in _imports(path) if name.split(".")[0].startswith("streamlit")}
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(GEO)))
def test_each_package_imports_only_the_packages_below_it(path) -> None:
    package = path.relative_to(GEO).parts[0].removesuffix(".py")
    if package in EVERYTHING:
        return
    used = {name.split(".")[1] for name in _imports(path) if name.startswith("geo.")}
    used.discard(package)
    used.discard("__version__")
    assert used <= ALLOWED[package], f"{path.relative_to(ROOT)} imports {used - ALLOWED[package]}"


def test_every_package_is_in_the_rule() -> None:
    tops = {p.name.removesuffix(".py") for p in GEO.iterdir() if p.suffix == ".py" or p.is_dir()}
    tops -= {"__pycache__", "py"}
    assert tops - EVERYTHING - {"py.typed"} <= set(ALLOWED), tops - EVERYTHING - set(ALLOWED)
