"""The server's warm-up run (ui/warm_up.py, started by app.py): the Explorer loads what every
visit shares and draws nothing; any other run draws the page."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from explorer_seed import app_store
from reference import ROOT
from streamlit.testing.v1 import AppTest

from geo.store.project_store import ProjectStore
from ui import resources, warm_up

PAGE = str(ROOT / "pages" / "explorer.py")


@pytest.fixture(scope="module")
def seeded(
    geo_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, int]]:
    with app_store(tmp_path_factory.mktemp("warm-up-store")) as ids:
        yield ids


def test_the_warm_up_loads_the_shared_resources_and_draws_nothing(
    seeded: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    queried: list[object] = []
    all_frame = ProjectStore.all_frame
    monkeypatch.setattr(
        ProjectStore,
        "all_frame",
        lambda self, *a, **k: queried.append(a) or all_frame(self, *a, **k),
    )
    outlined: list[object] = []
    overview = resources.maps.overview_geojson
    monkeypatch.setattr(
        resources.maps, "overview_geojson", lambda *a, **k: outlined.append(a) or overview(*a, **k)
    )
    resources.context_outlines.clear()
    # AppTest's session has no browser, as the warm-up's: under way, its run is the warm-up.
    with warm_up.under_way():
        at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception, at.exception
    assert not at.text_input  # no filter drawn
    assert not queried  # nor any project selected for a map
    assert len(outlined) == 1  # the national map's outlines, loaded
    drawn = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not drawn.exception, drawn.exception
    assert drawn.text_input(key="f_texte") is not None
    assert queried
    assert len(outlined) == 1  # the visit drew them from the process's cache


def test_outside_the_warm_up_a_run_without_a_browser_draws_the_page(
    seeded: dict[str, int],
) -> None:
    assert not warm_up.is_this_run()
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception, at.exception
    assert at.text_input(key="f_texte") is not None


def test_a_warm_up_that_only_ran_long_is_not_logged_as_a_failure() -> None:
    level, line = warm_up.report(False, "timeout", 900.0)
    assert "échec" not in line and "toujours en cours après 900 s" in line
    assert warm_up.report(True, "ok", 72.04) == (
        logging.INFO,
        "Premier passage de l'application au démarrage terminé en 72 s.",
    )
    level, line = warm_up.report(False, "error", 3.25)
    assert level == logging.WARNING and "en échec après 3,2 s : error" in line


def test_the_warm_up_waits_longer_than_streamlits_sixty_seconds() -> None:
    from streamlit.runtime import runtime as streamlit_runtime

    before = streamlit_runtime.SCRIPT_RUN_CHECK_TIMEOUT
    with warm_up.patient():
        # The name Streamlit's check reads at each turn of its loop (runtime.py).
        assert streamlit_runtime.SCRIPT_RUN_CHECK_TIMEOUT == warm_up.PATIENCE_SECONDS > 72
    assert streamlit_runtime.SCRIPT_RUN_CHECK_TIMEOUT == before
