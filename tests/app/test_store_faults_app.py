"""A broken project store never shows a traceback in the app: the page says in French what
happened and what to do, names no server path, and the detail goes to the server's log."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from broken_stores import cannot_be_opened, malformed, not_a_database, read_only
from reference import ROOT
from streamlit.testing.v1 import AppTest

PAGE = str(ROOT / "pages" / "explorer.py")
CASES: dict[str, tuple[Callable[[Path], str], str]] = {
    "not a database": (not_a_database, "sauvegarde"),
    "malformed": (malformed, "sauvegarde"),
    "cannot be opened": (cannot_be_opened, "droits"),
}


def _explorer(url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("GEO_OFFLINE", "1")
    monkeypatch.setenv("GEO_DEMO", "0")
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.run()
    return at


@pytest.mark.usefixtures("geo_env")
@pytest.mark.parametrize("case", list(CASES))
def test_a_broken_store_is_said_in_french_without_a_traceback(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make, advice = CASES[case]
    at = _explorer(make(tmp_path), monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    errors = " ".join(e.value for e in at.error)
    assert "registre des projets" in errors and advice in errors, errors
    assert str(tmp_path) not in errors and "Traceback" not in errors


@pytest.mark.usefixtures("geo_env")
def test_a_read_only_store_still_shows_its_projects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _explorer(read_only(tmp_path), monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    assert len([b for b in at.button if b.key and b.key.startswith("choisir-")]) == 3


@pytest.mark.usefixtures("geo_env")
def test_a_store_damaged_while_the_app_runs_is_said_on_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from broken_stores import filled

    path = filled(tmp_path, count=3)
    at = _explorer(f"sqlite:///{path}", monkeypatch)
    assert not at.exception and not at.error
    path.write_bytes(b"damaged " * 8192)  # the file is overwritten under the open store
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = " ".join(e.value for e in at.error)
    assert "registre des projets" in errors and str(tmp_path) not in errors, errors
