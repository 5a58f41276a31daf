"""Backups and restores on both engines: the state of the backup comes back, whole, online;
what is not a backup is refused with nothing changed; other processes see the restored data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from store_helpers import fake_locate, project

from geo.errors import GeoError
from geo.store.backup import backup, restore
from geo.store.identity import Operator
from geo.store.project_store import ProjectFilter, ProjectStore
from geo.store.transfer import public_checksum

OPERATOR = Operator("test")


def checksum(store: ProjectStore) -> str:
    with store.engine.connect() as connection:
        return public_checksum(connection)


def test_backup_then_restore_brings_back_that_state(store_url: str, tmp_path: Path) -> None:
    store = ProjectStore(store_url, locate=fake_locate)
    store.add_many([project(title=f"Projet {i}") for i in range(30)], actor=OPERATOR,
                   status="publie")  # fmt: skip
    pid, token = store.add(project(title="Proposé"), actor="formulaire")
    saved = checksum(store)
    audit = len(store.audit())

    report = backup(store_url, tmp_path / "sauvegardes" / "registre.backup")
    assert report.projects == 31 and report.bytes > 0
    assert Path(report.file).is_file() and not list(Path(report.file).parent.glob(".*partial"))

    # Life goes on after the backup: an edit, a deletion of tags, new projects.
    store.update(pid, {"summary": "Changé après la sauvegarde."}, token=token)
    store.add_many([project(title=f"Après {i}") for i in range(5)], actor="formulaire")
    reader = ProjectStore(store_url, locate=fake_locate)  # another process, with its cache
    assert len(reader.all_frame()) == 36
    for _ in range(8):  # enough for psycopg to prepare its statements on the server
        assert reader.query(ProjectFilter(text="apres")).total == 6
    version_before = store.data_version()

    restored = restore(store_url, report.file)
    assert restored.projects == 31
    assert restored.data_version > version_before  # no process serves what it kept
    assert len(reader.all_frame()) == 31
    assert reader.query(ProjectFilter(text="apres")).total == 0  # the same statements, anew
    again = ProjectStore(store_url, locate=fake_locate)
    assert checksum(again) == saved and len(again.audit()) == audit
    assert again.verify_token(pid, token)  # edit links made before the backup work again
    assert again.count(ProjectFilter(text="propose")) == 1  # text index rebuilt
    assert again.count(ProjectFilter(near=(45.1885, 5.7245, 1.0))) == 31  # and the places
    new, _ = again.add(project(title="Après la restauration"), actor="formulaire")
    assert new == 32
    for opened in (store, reader, again):
        opened.close()


@pytest.mark.parametrize("content", [b"", b"id;title\n1;pas une sauvegarde\n", b"\x00" * 5000])
def test_what_is_not_a_backup_is_refused_and_changes_nothing(
    store_url: str, tmp_path: Path, content: bytes
) -> None:
    store = ProjectStore(store_url, locate=fake_locate)
    store.add(project(), actor="formulaire")
    before = checksum(store)
    bogus = tmp_path / "faux.backup"
    bogus.write_bytes(content)
    with pytest.raises(GeoError, match="n'est pas une sauvegarde du registre"):
        restore(store_url, bogus)
    assert checksum(store) == before and store.count() == 1
    store.close()


def test_a_backup_of_the_other_engine_is_refused(store_url: str, tmp_path: Path) -> None:
    store = ProjectStore(store_url, locate=fake_locate)
    store.add(project(), actor="formulaire")
    store.close()
    if store.engine.dialect.name == "sqlite":
        other = tmp_path / "dump.backup"
        other.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 200)  # a pg_dump header
    else:
        other = tmp_path / "autre.sqlite"
        lite = ProjectStore(f"sqlite:///{other}", locate=fake_locate)
        lite.close()
    with pytest.raises(GeoError, match="n'est pas une sauvegarde du registre"):
        restore(store_url, other)


def test_an_unwritable_destination_is_said_in_french(store_url: str, tmp_path: Path) -> None:
    ProjectStore(store_url, locate=fake_locate).close()
    blocker = tmp_path / "fichier"
    blocker.write_text("pas un dossier")
    with pytest.raises(GeoError, match="Impossible d'écrire la sauvegarde"):
        backup(store_url, blocker / "registre.backup")


def test_an_existing_backup_is_replaced_whole(store_url: str, tmp_path: Path) -> None:
    store = ProjectStore(store_url, locate=fake_locate)
    store.add(project(), actor="formulaire")
    out = tmp_path / "registre.backup"
    out.write_bytes(b"ancienne sauvegarde")
    backup(store_url, out)
    assert out.read_bytes()[:5] in (b"SQLit", b"PGDMP")
    store.close()


def test_a_backup_of_no_store_is_refused_and_creates_nothing(
    store_url: str, tmp_path: Path
) -> None:
    # The cron of a deployment run without its environment: DATABASE_URL unset, so the
    # default SQLite file of another folder, which does not exist.
    absent = tmp_path / "ailleurs" / "projets.sqlite"
    with pytest.raises(GeoError, match="Aucun registre des projets à sauvegarder") as refused:
        backup(f"sqlite:///{absent}", tmp_path / "registre.backup")
    assert "/etc/carte/env" in str(refused.value) and not absent.exists()
    assert not (tmp_path / "registre.backup").exists()
    # A database that exists but holds no store (a new PostgreSQL database, an empty file).
    if store_url.startswith("sqlite"):
        sqlite3.connect(store_url.removeprefix("sqlite:///")).close()
    with pytest.raises(GeoError, match="n'en contient aucun"):
        backup(store_url, tmp_path / "vide.backup")
    assert not (tmp_path / "vide.backup").exists()
