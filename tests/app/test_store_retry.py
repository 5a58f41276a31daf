"""A server started while its project store cannot be opened (database down, folder missing)
is not broken for good: the store is tried again with backoff, and opened once it can be."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.errors import StoreError
from geo.settings import read_settings
from geo.store import ProjectStore
from ui import resources


def test_a_store_that_could_not_be_opened_is_tried_again_with_backoff(
    geo_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "registre"
    blocker.write_text("un fichier là où le dossier du registre doit être", encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{blocker / 'projets.sqlite'}")
    monkeypatch.setenv("GEO_DEMO", "0")
    settings = read_settings()[0]
    clock = [1000.0]
    monkeypatch.setattr(resources.time, "monotonic", lambda: clock[0])
    resources.clear()

    first = resources.store(settings)
    assert isinstance(first, StoreError)
    with pytest.raises(StoreError):
        resources.require_store(settings)  # what the health check's run meets
    blocker.unlink()  # the folder can be made now
    assert resources.store(settings) is first  # within the delay: not tried again
    clock[0] += 1.5
    opened = resources.store(settings)
    assert isinstance(opened, ProjectStore)
    assert resources.store(settings) is opened  # kept once opened
    resources.require_store(settings)
    resources.clear()


def test_the_delay_doubles_up_to_thirty_seconds(
    geo_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "registre"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{blocker / 'projets.sqlite'}")
    settings = read_settings()[0]
    clock = [0.0]
    monkeypatch.setattr(resources.time, "monotonic", lambda: clock[0])
    resources.clear()
    delays = []
    for _ in range(8):
        resources.store(settings)
        failure = resources._store_failures[settings]
        delays.append(failure.retry_at - clock[0])
        clock[0] = failure.retry_at
    assert delays == [1, 2, 4, 8, 16, 30, 30, 30]
    resources.clear()
