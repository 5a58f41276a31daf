"""Schema migrations on both engines: from nothing, from the first released schema with data,
concurrently, and back down."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from store_helpers import fake_locate

from geo.store.db import current_revision, head_revision, make_engine, migrate
from geo.store.project_store import ProjectFilter, ProjectStore


def tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def test_from_an_empty_database(store_url: str) -> None:
    engine = make_engine(store_url)
    assert migrate(engine) == head_revision()
    assert {"projects", "audit_log", "project_themes", "project_categories", "alembic_version",
            "store_version"} <= tables(engine)  # fmt: skip
    assert migrate(engine) == head_revision()  # a second start changes nothing
    with engine.connect() as connection:
        assert current_revision(connection) == head_revision()
    engine.dispose()


def test_a_new_sqlite_file_gets_its_folder(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new' / 'projets.sqlite'}")
    assert migrate(engine) == head_revision()
    assert (tmp_path / "new" / "projets.sqlite").is_file()
    engine.dispose()


def test_from_the_first_schema_with_data(store_url: str) -> None:
    url = store_url
    engine = make_engine(url)
    assert migrate(engine, "0001") == "0001"
    assert "project_themes" not in tables(engine)
    now = datetime(2025, 3, 1, tzinfo=UTC)
    row = {
        "title": "Éolienne citoyenne du Trièves",
        "summary": "Une éolienne financée par 300 habitants.",
        "description": "",
        "themes": ["energie"],
        "categories": ["eolien"],
        "stage": "en_service",
        "carriers": [{"name": "SAS Trièves Vent", "type": "entreprise"}],
        "commons": [],
        "lat": 44.87,
        "lon": 5.65,
        "location_approximate": False,
        "code_commune": "38253",
        "code_departement": "38",
        "code_region": "84",
        "status": "publie",
        "created_at": now,
        "updated_at": now,
        "source": "",
        "token_hash": "0" * 64,
    }
    with engine.begin() as connection:
        # The columns of revision 0001, as a release of that time wrote them (JSON as text).
        v1 = sa.Table("projects", sa.MetaData(), autoload_with=connection)
        assert "search_text" not in v1.columns
        connection.execute(v1.insert(), [row])
        stored = connection.exec_driver_sql("SELECT carriers FROM projects").scalar_one()
        stored = json.loads(stored) if isinstance(stored, str) else stored
        assert stored[0]["name"] == "SAS Trièves Vent"
    engine.dispose()

    store = ProjectStore(url, locate=fake_locate)  # upgrades at start
    with store.engine.connect() as connection:
        assert current_revision(connection) == head_revision()
    (found,) = store.query(ProjectFilter(text="trieves vent", themes=("energie",))).items
    assert found.title == "Éolienne citoyenne du Trièves"
    assert store.count(ProjectFilter(categories=("eolien",))) == 1
    assert store.get(found.id).carriers[0].name == "SAS Trièves Vent"
    # The old row has its place (PostGIS's generated point on PostgreSQL).
    assert [p.id for p in store.query(ProjectFilter(near=(44.87, 5.65, 1.0))).items] == [found.id]
    # New writes work on the upgraded schema, and the text index follows them.
    pid, _ = store.add(
        {"title": "Vent du Trièves II", "themes": ["energie"], "lat": 44.9, "lon": 5.6},
        actor="test",
    )
    assert store.count(ProjectFilter(text="trieves")) == 2
    store.close()


def test_concurrent_starts_migrate_once(store_url: str) -> None:
    url = store_url
    errors: list[BaseException] = []
    revisions: list[str | None] = []

    def start() -> None:
        try:
            engine = make_engine(url)
            revisions.append(migrate(engine))
            engine.dispose()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert revisions == [head_revision()] * 6


def test_the_declared_head_is_alembics_head() -> None:
    from geo.store.migrations import HEAD

    assert HEAD == head_revision()


def test_down_to_the_previous_revision_and_up_again(store_url: str) -> None:
    from alembic import command

    from geo.store.db import _alembic_config

    engine = make_engine(store_url)
    migrate(engine)
    store = ProjectStore(store_url, locate=fake_locate)
    store.add({"title": "Avant", "themes": ["energie"], "lat": 45.19, "lon": 5.72}, actor="t")
    store.close()
    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "0004")
        assert current_revision(connection) == "0004"
    assert "store_version" not in tables(engine)
    assert migrate(engine) == head_revision()
    store = ProjectStore(store_url, locate=fake_locate)
    assert store.count(ProjectFilter(near=(45.19, 5.72, 1.0))) == 1
    assert store.data_version() >= 1
    store.close()
    engine.dispose()
