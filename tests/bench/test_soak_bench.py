"""The soak benchmark drives the app as it is: every address it visits is a page of the
navigation, and the workshop it prepares is a real tour with an open room in a real store.
Its figures are not checked here: benchmarks are not timed tests (README, "Performance")."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from reference import ROOT

from geo.settings import get_settings
from geo.store import ProjectStore
from geo.territory import load_territories


def _benchmark() -> object:
    path = ROOT / "benchmarks" / "soak.py"
    spec = importlib.util.spec_from_file_location("bench_soak_script", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_address_of_the_soak_is_a_page_of_the_app() -> None:
    navigation = (ROOT / "navigation.py").read_text(encoding="utf-8")
    paths = set(re.findall(r'url_path="([a-z]+)"', navigation))
    paths |= {Path(p).stem for p in re.findall(r'st\.Page\(\s*"(pages/[a-z]+\.py)"', navigation)}
    visited = {urlsplit(v).path.strip("/") for v in _benchmark().VIEWS if not v.startswith("{")}
    assert "" in visited  # the Explorer, the default page
    assert visited - {""} <= paths, visited - {""} - paths
    # Every page a visitor can reach is visited (the Explorer at "/", the hidden ones
    # through the workshop).
    assert paths - visited <= {"explorer", "presentation", "atelier"}


def test_the_soaks_workshop_is_a_published_tour_with_an_open_room(
    geo_env: dict[str, str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'projets.sqlite'}"
    presentation, atelier, integrer = _benchmark()._workshop(url)
    tour = parse_qs(urlsplit(presentation).query)
    code = parse_qs(urlsplit(atelier).query)["code"][0]
    assert tour["atelier"] == [code]
    assert parse_qs(urlsplit(integrer).query)["parcours"] == tour["parcours"]
    settings = get_settings()
    store = ProjectStore(url, settings=settings, locate=load_territories(settings))
    try:
        assert store.tours.get(int(tour["parcours"][0])).published
        assert store.workshops.by_code(code).open
    finally:
        store.close()


def test_the_soak_draws_its_territories_among_those_loaded(geo_env: dict[str, str]) -> None:
    bench = _benchmark()
    codes = bench._territory_codes()
    assert set(codes) == set(bench.LEVELS)
    assert "38185" in codes["commune"] and "200040715" in codes["epci"]
    for view in bench.VIEWS:
        # Every placeholder of an address is a level drawn, or the workshop's addresses.
        view.format(
            presentation="", atelier="", integrer="", **{level: "x" for level in bench.LEVELS}
        )
