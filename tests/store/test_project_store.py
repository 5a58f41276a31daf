"""The project store on SQLite and PostgreSQL: CRUD, tokens, moderation, audit, upsert, pragmas."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from store_helpers import fake_locate, project

from geo.errors import EditDeniedError, ProjectNotFoundError, ProjectValidationError
from geo.projects.model import parse_project
from geo.settings import get_settings
from geo.store.db import database_url
from geo.store.identity import Operator
from geo.store.project_store import ProjectFilter, ProjectStore
from geo.territory import TerritoryRef


@pytest.fixture
def store(store_url: str) -> ProjectStore:
    opened = ProjectStore(store_url, locate=fake_locate)
    yield opened
    opened.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> ProjectStore:
    opened = ProjectStore(f"sqlite:///{tmp_path / 'projets.sqlite'}", locate=fake_locate)
    yield opened
    opened.close()


def test_add_then_get_round_trip(store: ProjectStore) -> None:
    pid, token = store.add(project(), actor="test")
    stored = store.get(pid)
    assert stored.id == pid and stored.title == "Toits solaires citoyens"
    assert stored.carriers[0].name == "Énergies Citoyennes Grenobloises"
    assert stored.carriers[0].type == "cooperative"
    assert stored.contact_email == "contact@exemple.fr"
    assert stored.created_at is not None and stored.created_at.tzinfo is not None
    assert stored.created_at == stored.updated_at == stored.last_confirmed_at
    assert len(token) >= 40


def test_territory_codes_come_from_the_engine_never_from_input(store: ProjectStore) -> None:
    pid, _ = store.add(
        project(code_commune="75056", code_epci="1", code_departement="75", code_region="11"),
        actor="test",
    )
    stored = store.get(pid)
    codes = (stored.code_commune, stored.code_epci, stored.code_departement, stored.code_region)
    assert codes == ("38185", "200040715", "38", "84")


def test_codes_follow_the_point_when_it_moves(store: ProjectStore) -> None:
    pid, token = store.add(project(), actor="test")
    moved = store.update(pid, {"lat": 48.8566, "lon": 2.3522}, token=token)
    assert (moved.code_commune, moved.code_region) == ("75056", "11")
    outside = store.update(pid, {"lat": 44.0, "lon": 4.0}, token=token)
    assert outside.code_commune is None and outside.code_region is None


def test_public_contributions_start_proposed_whatever_they_say(store: ProjectStore) -> None:
    pid, _ = store.add(project(status="publie"), actor="formulaire")
    assert store.get(pid).status == "propose"
    pid, _ = store.add(project(), actor=Operator("import"), status="publie")
    assert store.get(pid).status == "publie"


def test_invalid_project_is_refused_with_every_error(store: ProjectStore) -> None:
    with pytest.raises(ProjectValidationError) as caught:
        store.add(project(title="", lat=40.4, lon=-3.7, website="javascript:x"), actor="t")
    assert set(caught.value.errors) == {"title", "location", "website"}
    assert store.count() == 0


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert('x')</script>",
        '<img src=x onerror="alert(1)">',
        "[cliquez ici](javascript:alert(1))",
        "Robert'); DROP TABLE projects;--",
    ],
)
def test_user_text_is_stored_exactly_as_typed(store: ProjectStore, text: str) -> None:
    description = f"## Présentation\n\n{text}\n"
    pid, _ = store.add(
        project(title=text, summary=text, description=description, carriers=[
            {"name": text, "type": "association"}
        ]),
        actor="test",
    )  # fmt: skip
    stored = store.get(pid)
    assert (stored.title, stored.summary, stored.description) == (text, text, description)
    assert stored.carriers[0].name == text
    frame = store.all_frame()
    assert frame.loc[frame["id"] == pid, "title"].iloc[0] == text
    assert store.count() == 1


# --- tokens and moderation -------------------------------------------------------------------


def test_token_is_stored_hashed_only(store: ProjectStore) -> None:
    pid, token = store.add(project(), actor="test")
    new = store.new_token(pid, operator=Operator("test"))
    # Every value of every table, as text: neither token is anywhere.
    tables = sa.MetaData()
    tables.reflect(store.engine)
    with store.engine.connect() as connection:
        dump = "\n".join(
            repr(tuple(row)) for table in tables.sorted_tables
            for row in connection.execute(sa.select(table))
        )  # fmt: skip
        stored = connection.execute(
            sa.text("SELECT token_hash FROM projects WHERE id = :id"), {"id": pid}
        ).scalar_one()
    assert "Toits solaires citoyens" in dump  # the dump holds the data
    assert token not in dump and new not in dump
    assert stored == hashlib.sha256(new.encode()).hexdigest()


def test_token_is_not_in_the_sqlite_file(sqlite_store: ProjectStore, tmp_path: Path) -> None:
    pid, token = sqlite_store.add(project(), actor="test")
    with sqlite3.connect(tmp_path / "projets.sqlite") as raw:
        dump = "\n".join(raw.iterdump())
    assert token not in dump and "Toits solaires citoyens" in dump


def test_verify_token(store: ProjectStore) -> None:
    first, token = store.add(project(), actor="test")
    second, other = store.add(project(title="Autopartage", themes=["mobilite"],
                                      categories=["autopartage"]), actor="test")  # fmt: skip
    cases = [
        (first, token, True),
        (second, other, True),
        (first, other, False),  # the token of another project
        (second, token, False),
        (first, token + "x", False),
        (first, token[:-1], False),
        (first, "", False),
        (first, None, False),
        (999, token, False),
    ]
    for pid, candidate, expected in cases:
        assert store.verify_token(pid, candidate) is expected, (pid, candidate)


def test_a_token_edits_exactly_one_project(store: ProjectStore) -> None:
    first, token = store.add(project(), actor="test")
    second, _ = store.add(project(title="Autre"), actor="test")
    assert store.update(first, {"summary": "Nouveau résumé"}, token=token).summary == (
        "Nouveau résumé"
    )
    with pytest.raises(EditDeniedError, match="lien d'édition"):
        store.update(second, {"summary": "piraté"}, token=token)
    with pytest.raises(EditDeniedError):
        store.update(first, {"summary": "piraté"}, token="mauvais-jeton")
    with pytest.raises(EditDeniedError, match="opérateur"):
        store.update(first, {"summary": "piraté"})
    assert store.get(second).summary == project()["summary"]


def test_token_is_checked_again_inside_the_write(
    store: ProjectStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid, token = store.add(project(), actor="test")
    store.new_token(pid, operator=Operator("camille"))  # the link was replaced...
    monkeypatch.setattr(store, "verify_token", lambda *args: True)  # ...after the first check
    with pytest.raises(EditDeniedError):
        store.update(pid, {"summary": "trop tard"}, token=token)
    with pytest.raises(EditDeniedError):
        store.confirm(pid, token=token)
    assert store.get(pid).summary == project()["summary"]


def test_update_lists_every_problem_and_writes_nothing(store: ProjectStore) -> None:
    pid, token = store.add(project(), actor="test")
    with pytest.raises(ProjectValidationError) as caught:
        store.update(pid, {"title": "x" * 200, "power_kwc": -1, "lat": 0.0}, token=token)
    assert set(caught.value.errors) == {"title", "power_kwc", "location"}
    assert store.get(pid).title == "Toits solaires citoyens"
    assert [entry.action for entry in store.audit(pid)] == ["create"]


def test_status_changes_only_through_moderation(store: ProjectStore) -> None:
    pid, token = store.add(project(), actor="test")
    with pytest.raises(ProjectValidationError, match="modération"):
        store.update(pid, {"status": "publie"}, token=token)
    with pytest.raises(EditDeniedError):
        store.set_status(pid, "publie", operator=None)  # type: ignore[arg-type]
    assert store.set_status(pid, "publie", operator=Operator("camille")).status == "publie"
    with pytest.raises(ProjectValidationError):
        store.set_status(pid, "en ligne", operator=Operator("camille"))
    # A published project is no longer changed by its link directly: the change waits for
    # a moderator (tests/store/test_moderation.py), the published version stays.
    with pytest.raises(EditDeniedError, match="modérateur"):
        store.update(pid, {"summary": "suite"}, token=token)
    assert store.submit_change(pid, {"summary": "suite"}, token=token).kind == "pending"
    assert store.get(pid).summary == project()["summary"]


def test_new_token_replaces_the_old_one(store: ProjectStore) -> None:
    pid, token = store.add(project(), actor="test")
    fresh = store.new_token(pid, operator=Operator("camille"))
    assert store.verify_token(pid, fresh) and not store.verify_token(pid, token)


def test_confirm_updates_last_confirmed(store: ProjectStore) -> None:
    pid, token = store.add(project(), actor="test")
    before = store.get(pid).last_confirmed_at
    after = store.confirm(pid, token=token).last_confirmed_at
    assert before is not None and after is not None and after > before


def test_unknown_project(store: ProjectStore) -> None:
    with pytest.raises(ProjectNotFoundError, match="42"):
        store.get(42)
    with pytest.raises(ProjectNotFoundError):
        store.set_status(42, "publie", operator=Operator("camille"))


# --- audit log -------------------------------------------------------------------------------


def test_audit_log_records_who_what_when(store: ProjectStore) -> None:
    pid, token = store.add(project(), actor="formulaire public")
    store.update(pid, {"summary": "Résumé revu"}, token=token)
    store.set_status(pid, "publie", operator=Operator("camille"))
    store.confirm(pid, token=token)
    store.new_token(pid, operator=Operator("camille"))
    entries = store.audit(pid)
    assert [e.action for e in entries] == ["create", "update", "status", "confirm", "token"]
    create, update, status, confirm, new_token = entries
    assert create.actor == "formulaire public" and create.before is None
    assert create.after["title"] == "Toits solaires citoyens" and create.after["id"] == pid
    assert "token_hash" not in create.after
    assert update.actor == "lien d'édition"
    assert update.before == {"summary": project()["summary"]}
    assert update.after == {"summary": "Résumé revu"}
    assert status.actor == "operateur:camille"
    assert (status.before, status.after) == ({"status": "propose"}, {"status": "publie"})
    assert "last_confirmed_at" in confirm.after
    assert new_token.before is None and new_token.after is None
    assert all(e.at.tzinfo is not None for e in entries)
    assert entries == sorted(entries, key=lambda e: e.at)


# --- bulk and upsert -------------------------------------------------------------------------


def test_add_many_keeps_good_rows_and_reports_bad_ones(store: ProjectStore) -> None:
    rows = [
        project(title="Bon 1", source="fichier.csv", external_id="1"),
        project(title="", source="fichier.csv", external_id="2"),
        project(title="Bon 3", lat="n'importe", source="fichier.csv", external_id="3"),
        project(title="Bon 4", source="fichier.csv", external_id="4"),
        project(title="Doublon de 1", source="fichier.csv", external_id="1"),
    ]
    results = store.add_many(rows, actor=Operator("import"), status="publie")
    assert [r.action for r in results] == ["created", "rejected", "rejected", "created", "rejected"]
    assert [r.index for r in results] == [0, 1, 2, 3, 4]
    assert "title" in results[1].errors and "location" in results[2].errors
    assert "external_id" in results[4].errors
    assert store.count() == 2
    assert all(r.token for r in results if r.action == "created")


def test_upsert_by_source_and_external_id(store: ProjectStore) -> None:
    rows = [project(title=f"Projet {i}", source="demo", external_id=str(i)) for i in range(3)]
    importer = {"actor": Operator("import"), "match_existing": True}
    first = store.add_many(rows, status="publie", **importer)
    again = store.add_many(rows, status="publie", **importer)
    assert [r.action for r in again] == ["unchanged"] * 3
    assert [r.id for r in again] == [r.id for r in first]
    changed = [*rows[:2], project(title="Projet 2 renommé", source="demo", external_id="2")]
    third = store.add_many(changed, **importer)
    assert [r.action for r in third] == ["unchanged", "unchanged", "updated"]
    assert store.count() == 3
    assert store.get(first[2].id).title == "Projet 2 renommé"
    assert store.get(first[2].id).status == "publie"  # an update keeps the status
    # Same external id from another source is another project.
    store.add(project(source="autre", external_id="1"), actor="import")
    assert store.count() == 4


def test_add_many_is_one_transaction(store: ProjectStore, monkeypatch: pytest.MonkeyPatch) -> None:
    import geo.store.rows

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(geo.store.rows, "replace_tags", broken)
    with pytest.raises(RuntimeError):
        store.add_many([project(title=f"P{i}") for i in range(5)], actor="import")
    monkeypatch.undo()
    assert store.count() == 0
    assert store.audit() == []


def test_add_accepts_a_project_object(store: ProjectStore) -> None:
    pid, _ = store.add(parse_project(project()), actor="test")
    assert store.get(pid).title == "Toits solaires citoyens"


# --- database set-up -------------------------------------------------------------------------


def test_sqlite_connection_settings(sqlite_store: ProjectStore) -> None:
    with sqlite_store.engine.connect() as connection:
        pragma = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        }
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30000}


def test_default_url_is_a_sqlite_file_in_the_data_dir(tmp_path: Path) -> None:
    settings = get_settings(environ={"GEO_DATA_DIR": str(tmp_path / "d")}, secrets={})
    assert database_url(settings) == f"sqlite:///{tmp_path / 'd' / 'projets.sqlite'}"
    store = ProjectStore(settings=settings, locate=fake_locate)
    store.add(project(), actor="test")
    store.close()
    assert (tmp_path / "d" / "projets.sqlite").is_file()
    url = "postgresql+psycopg://carte:secret@db/carte"
    configured = get_settings(environ={"DATABASE_URL": url}, secrets={})
    assert database_url(configured) == url


def test_foreign_keys_are_enforced(store: ProjectStore) -> None:
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO project_themes (project_id, theme) VALUES (12345, 'energie')"
        )


def test_the_default_locator_is_the_territory_engine(tmp_path: Path) -> None:
    from reference import GRENOBLE, PARIS, territories

    store = ProjectStore(f"sqlite:///{tmp_path / 'p.sqlite'}", locate=territories())
    grenoble, _ = store.add(project(lat=GRENOBLE[0], lon=GRENOBLE[1]), actor="test")
    paris, _ = store.add(project(lat=PARIS[0], lon=PARIS[1]), actor="test")
    assert store.get(grenoble).code_commune == "38185"
    assert store.get(grenoble).code_departement == "38"
    assert (store.get(paris).code_commune, store.get(paris).code_region) == ("75056", "11")
    assert (
        store.count(ProjectFilter(territory=TerritoryRef("epci", store.get(grenoble).code_epci)))
        == 1
    )
    store.close()


# --- writes and identity (issue 11) ----------------------------------------------------------


def test_an_add_never_overwrites_another_project(store: ProjectStore) -> None:
    """Someone who knows a project's source + external id cannot take it over by adding."""
    pid, token = store.add(project(source="atelier", external_id="p1"), actor="formulaire")
    audit = store.audit(pid)
    intruder = project(source="atelier", external_id="p1", title="Pris", contact_email=None)
    with pytest.raises(ProjectValidationError, match="déjà") as caught:
        store.add(intruder, actor="formulaire")
    assert set(caught.value.errors) == {"external_id"}
    [result] = store.add_many([intruder], actor="formulaire")
    assert result.action == "rejected" and "external_id" in result.errors
    kept = store.get(pid)
    assert kept.title == "Toits solaires citoyens"
    assert kept.contact_email == "contact@exemple.fr"
    assert store.audit(pid) == audit and store.count() == 1
    assert store.verify_token(pid, token)


def test_only_an_operator_matches_on_source_and_external_id(store: ProjectStore) -> None:
    with pytest.raises(EditDeniedError, match="opérateur"):
        store.add_many([project()], actor="formulaire", match_existing=True)
    first = store.add_many([project(source="s", external_id="1")], actor=Operator("import"),
                           status="publie", match_existing=True)  # fmt: skip
    again = store.add_many([project(source="s", external_id="1", title="Renommé")],
                           actor=Operator("import"), match_existing=True)  # fmt: skip
    assert again[0].action == "updated" and again[0].id == first[0].id
    assert store.audit(first[0].id)[-1].actor == "operateur:import"


def test_only_an_operator_changes_a_status(store: ProjectStore) -> None:
    pid, _ = store.add(project(), actor="formulaire")
    for name in ("camille", "moderation:camille", ""):
        with pytest.raises(EditDeniedError):
            store.set_status(pid, "publie", operator=name)  # type: ignore[arg-type]
    with pytest.raises(EditDeniedError, match="opérateur"):
        store.add(project(), actor="formulaire", status="publie")
    with pytest.raises(EditDeniedError):
        store.update(pid, {"summary": "sans jeton"}, operator="camille")  # type: ignore[arg-type]
    assert store.get(pid).status == "propose" and store.count() == 1
    assert store.set_status(pid, "publie", operator=Operator("cli:camille")).status == "publie"
    assert store.audit(pid)[-1].actor == "operateur:cli:camille"
    with pytest.raises(ValueError, match="opérateur"):
        Operator(" ")


def test_a_text_left_empty_is_none_in_the_frame_not_nan(store: ProjectStore) -> None:
    # pandas 3 reads a text column with some values as strings whose missing value is NaN:
    # truthy, and printed "nan" (a sheet showed "Échelle : nan" and a link to "nan").
    store.add(project(website="https://exemple.fr", scope="commune"), actor="test")
    bare, _ = store.add(project(title="Sans site ni échelle"), actor="test")
    frame = store.all_frame()
    row = frame[frame["id"] == bare].iloc[0]
    assert row["website"] is None and row["scope"] is None
    assert frame[frame["id"] != bare].iloc[0]["website"] == "https://exemple.fr"
