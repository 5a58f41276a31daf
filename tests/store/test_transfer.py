"""Copying a SQLite store into PostgreSQL (and back): everything, once, checked at the end."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from pg_server import PostgresServer
from store_helpers import fake_locate, project

from geo.errors import GeoError
from geo.store.identity import Operator
from geo.store.project_store import ProjectFilter, ProjectStore
from geo.store.transfer import copied_tables, copy_store
from geo.territory import TerritoryRef

OPERATOR = Operator("test")
AREA = {"type": "Polygon", "coordinates": [[[5.70, 45.17], [5.74, 45.17], [5.74, 45.20],
                                            [5.70, 45.17]]]}  # fmt: skip


def filled_sqlite(path: Path) -> str:
    url = f"sqlite:///{path}"
    store = ProjectStore(url, locate=fake_locate)
    results = store.add_many(
        [project(title=f"Projet {i}", external_id=f"e{i}", source="essai") for i in range(120)],
        actor=OPERATOR,
        status="publie",
    )
    pid, token = store.add(project(title="Avec un périmètre", area=AREA,
                                   description="## Texte\n\n<script>x</script> é ü"),
                           actor="formulaire")  # fmt: skip
    store.update(pid, {"summary": "Corrigé par son lien."}, token=token)
    store.set_status(results[3].id, "archive", operator=OPERATOR)
    store.set_status(results[4].id, "refuse", operator=OPERATOR)
    # Moderation (issue 13): accounts with scopes and a session, a decision, a change waiting
    # for a moderator, a visitor's report.
    password = store.moderators.add("camille", [TerritoryRef("departement", "38")],
                                    operator=OPERATOR)  # fmt: skip
    store.moderators.add("dominique", operator=OPERATOR)
    camille = store.moderators.log_in("camille", password)
    store.moderation.approve(pid, camille)
    assert store.submit_change(pid, {"summary": "En attente."}, token=token).kind == "pending"
    store.report(results[5].id, "Ce projet n'existe plus.", reporter="0" * 64)
    store.close()
    return url


@pytest.fixture
def target(postgres_server: PostgresServer) -> str:
    url = postgres_server.new_database()
    yield url
    postgres_server.drop_database(url)


def snapshot(url: str) -> dict[str, object]:
    store = ProjectStore(url, locate=fake_locate)
    try:
        frame = store.all_frame(private=True).sort_values("id")
        return {
            "projects": frame.drop(columns="geometry").to_dict("records"),
            "audit": [
                (e.id, e.actor, e.action, e.project_id, e.before, e.after) for e in store.audit()
            ],  # fmt: skip
            "tokens": [store.verify_token(pid, "x") for pid in frame["id"]],
        }
    finally:
        store.close()


def test_sqlite_into_postgresql_everything_once(tmp_path: Path, target: str) -> None:
    source = filled_sqlite(tmp_path / "atelier.sqlite")
    report = copy_store(source, target)
    assert report.identical
    tables = {t.table: t for t in report.tables}
    assert set(tables) == {t.name for t in copied_tables()}
    assert tables["projects"].inserted == tables["projects"].target_rows == 121
    assert tables["audit_log"].inserted == tables["audit_log"].source_rows >= 121 + 4
    for name in ("moderators", "moderator_scopes", "moderator_sessions", "project_revisions",
                 "project_reports"):  # fmt: skip
        assert tables[name].inserted == tables[name].source_rows >= 1, name
    assert tables["project_themes"].target_rows == 121
    assert report.public_checksum_source == report.public_checksum_target
    assert "password" not in report.target and ":***@" in report.target

    # The same projects, fields, dates, audit, on the other engine.
    assert snapshot(source) == snapshot(target)
    moved = ProjectStore(target, locate=fake_locate)
    assert moved.count(ProjectFilter(text="perimetre")) == 1  # pg_trgm on the copied text
    assert moved.count(ProjectFilter(near=(45.1885, 5.7245, 1.0))) == 121  # PostGIS points
    with moved.engine.connect() as connection:
        area = connection.exec_driver_sql(
            "SELECT ST_GeometryType(area_geom) FROM projects WHERE area IS NOT NULL"
        ).scalar_one()
    assert area == "ST_Polygon"
    # Its sequences continue after the copied ids: the next project gets a new one.
    pid, _ = moved.add(project(title="Après la migration"), actor="formulaire")
    assert pid == 122
    assert moved.audit(pid)[0].id == tables["audit_log"].source_rows + 1
    # The moderators came with their passwords and scopes.
    assert [a.name for a in moved.moderators.list()] == ["camille", "dominique"]
    moved.close()


def test_a_second_run_copies_only_what_changed(tmp_path: Path, target: str) -> None:
    source = filled_sqlite(tmp_path / "atelier.sqlite")
    copy_store(source, target)
    again = copy_store(source, target)
    assert again.identical
    assert all(t.inserted == t.updated == 0 for t in again.tables)
    assert {t.table: t.unchanged for t in again.tables}["projects"] == 121

    store = ProjectStore(source, locate=fake_locate)
    store.set_status(1, "archive", operator=OPERATOR)
    store.add(project(title="Ajouté entre deux copies"), actor="formulaire")
    store.close()
    third = {t.table: t for t in copy_store(source, target).tables}
    assert (third["projects"].inserted, third["projects"].updated) == (1, 1)
    assert third["audit_log"].inserted == 2
    assert snapshot(source) == snapshot(target)


def test_a_target_with_rows_of_its_own_is_refused_untouched(tmp_path: Path, target: str) -> None:
    source = filled_sqlite(tmp_path / "atelier.sqlite")
    other = ProjectStore(target, locate=fake_locate)
    other.add_many([project(title=f"Autre {i}") for i in range(130)], actor="formulaire")
    before = snapshot(target)
    other.close()
    with pytest.raises(GeoError, match="n'est pas une copie de cette base"):
        copy_store(source, target)
    assert snapshot(target) == before


def test_the_same_database_is_refused(tmp_path: Path) -> None:
    source = filled_sqlite(tmp_path / "atelier.sqlite")
    with pytest.raises(GeoError, match="est la base source"):
        copy_store(source, f"sqlite:///{tmp_path / '.' / 'atelier.sqlite'}")


def test_postgresql_back_into_sqlite(tmp_path: Path, target: str) -> None:
    copy_store(filled_sqlite(tmp_path / "atelier.sqlite"), target)
    back = f"sqlite:///{tmp_path / 'retour.sqlite'}"
    report = copy_store(target, back)
    assert report.identical
    assert snapshot(back) == snapshot(target)
    store = ProjectStore(back, locate=fake_locate)
    assert store.count(ProjectFilter(text="perimetre")) == 1  # the FTS table followed
    store.close()


def test_an_old_sqlite_file_is_upgraded_then_copied(tmp_path: Path, target: str) -> None:
    from geo.store.db import make_engine, migrate

    url = f"sqlite:///{tmp_path / 'ancien.sqlite'}"
    engine = make_engine(url)
    migrate(engine, "0003")
    engine.dispose()
    store = ProjectStore(url, locate=fake_locate, migrate_schema=False)
    with store.engine.begin() as connection:
        assert not sa.inspect(connection).has_table("store_version")
    store.close()
    assert copy_store(url, target).identical
