"""The data version the database holds: every change of a project moves it, whoever writes;
what a process keeps of what it read is served only while it stays (both engines)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from store_helpers import fake_locate, project

from geo.store.identity import Operator
from geo.store.project_store import ProjectFilter, ProjectStore

OPERATOR = Operator("test")


@pytest.fixture
def two_processes(store_url: str) -> tuple[ProjectStore, ProjectStore]:
    """Two stores on one database, as two app processes have (nothing shared in memory)."""
    first = ProjectStore(store_url, locate=fake_locate)
    second = ProjectStore(store_url, locate=fake_locate)
    yield first, second
    first.close()
    second.close()


def statements(store: ProjectStore) -> list[str]:
    seen: list[str] = []
    sa.event.listen(
        store.engine, "before_cursor_execute", lambda *args: seen.append(args[2]), named=False
    )
    return seen


def test_every_write_moves_the_version_and_a_read_does_not(store_url: str) -> None:
    store = ProjectStore(store_url, locate=fake_locate)
    versions = [store.data_version()]

    def moved() -> bool:
        versions.append(store.data_version())
        return versions[-1] > versions[-2]

    pid, token = store.add(project(), actor="formulaire")
    assert moved()
    store.update(pid, {"summary": "Autre résumé."}, token=token)
    assert moved()
    store.set_status(pid, "publie", operator=OPERATOR)
    assert moved()
    store.confirm(pid, operator=OPERATOR)
    assert moved()
    store.add_many([project(title=f"Lot {i}") for i in range(20)], actor=OPERATOR, status="publie")
    assert moved()
    store.query(ProjectFilter(text="lot"))
    store.all_frame()
    store.get(pid)
    assert not moved()
    with store.engine.begin() as connection:  # a write that does not go through the store
        connection.execute(sa.text("DELETE FROM project_categories WHERE project_id = :id"),
                           {"id": pid})  # fmt: skip
    assert moved()
    store.close()


def test_a_bulk_write_is_one_version_on_postgresql(store_url: str) -> None:
    store = ProjectStore(store_url, locate=fake_locate)
    before = store.data_version()
    store.add_many([project(title=f"Lot {i}") for i in range(200)], actor=OPERATOR, status="publie")
    after = store.data_version()
    if store.engine.dialect.name == "postgresql":
        assert after == before + 1  # once per transaction
    else:
        assert after > before  # SQLite's triggers count rows
    store.close()


def test_a_rolled_back_write_leaves_the_version(store_url: str) -> None:
    store = ProjectStore(store_url, locate=fake_locate)
    before = store.data_version()
    with store.engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(sa.text("UPDATE projects SET title = 'x'"))
        connection.execute(sa.text("DELETE FROM project_themes"))
        transaction.rollback()
    assert store.data_version() == before
    store.close()


def test_a_process_sees_the_writes_of_another(two_processes) -> None:  # noqa: ANN001
    reader, writer = two_processes
    published = ProjectFilter(statuses=("publie",))
    pid, _ = writer.add(project(title="Proposé ailleurs"), actor="formulaire")
    assert reader.all_frame(published).empty  # read and kept at this version

    seen = statements(reader)
    assert reader.all_frame(published).empty
    assert not any("FROM projects" in s for s in seen)  # served from memory: one version read
    assert [s for s in seen if s != "BEGIN"] == [
        "SELECT store_version.version \nFROM store_version"
    ]

    writer.set_status(pid, "publie", operator=OPERATOR)  # "approved" in the other process
    frame = reader.all_frame(published)
    assert frame["title"].tolist() == ["Proposé ailleurs"]
    assert any("FROM projects" in s for s in seen)


def test_a_kept_frame_is_a_copy(store_url: str) -> None:
    store = ProjectStore(store_url, locate=fake_locate)
    store.add(project(), actor=OPERATOR, status="publie")
    first = store.all_frame()
    first.loc[:, "title"] = "changé par l'appelant"
    assert store.all_frame()["title"].tolist() == ["Toits solaires citoyens"]
    assert store._frames.hits >= 1
    store.close()


def test_kept_frames_are_bounded_by_rows(store_url: str) -> None:
    store = ProjectStore(store_url, locate=fake_locate)
    store._frames.max_rows = 5
    store.add_many([project(title=f"P{i}") for i in range(4)], actor=OPERATOR, status="publie")
    store.all_frame()  # 4 rows
    store.all_frame(ProjectFilter(text="p1"))  # 1 row: 5 in all
    store.all_frame(ProjectFilter(text="p2"))  # one more: the oldest entry goes
    kept = list(store._frames._entries)
    assert len(kept) == 2 and (ProjectFilter(), False) not in kept
    store.close()
