"""``python -m geo db …``: status, migrate-to, backup and restore from the shell."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from pg_server import PostgresServer
from reference import ROOT
from store_helpers import fake_locate, project

from geo.cli import main
from geo.store.identity import Operator
from geo.store.project_store import ProjectStore


@pytest.fixture
def app_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The app's store (DATABASE_URL) holding a few projects."""
    url = f"sqlite:///{tmp_path / 'projets.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    store = ProjectStore(url, locate=fake_locate)
    store.add_many([project(title=f"Projet {i}") for i in range(7)], actor=Operator("test"),
                   status="publie")  # fmt: skip
    store.close()
    return url


def test_status(app_store: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["engine"] == "sqlite" and status["rows"]["projects"] == 7
    assert status["revision"] and status["data_version"] >= 1


def test_migrate_to_postgresql_and_again(
    app_store: str, postgres_server: PostgresServer, capsys: pytest.CaptureFixture[str]
) -> None:
    target = postgres_server.new_database()
    assert main(["db", "migrate-to", target, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["identical"] and report["tables"]["projects"]["inserted"] == 7
    assert report["public_checksum"]["source"] == report["public_checksum"]["target"]
    assert "***" in report["target"] and "geo:" in report["target"]
    assert main(["db", "migrate-to", target]) == 0
    out = capsys.readouterr().out
    assert "0 ajoutée(s), 0 mise(s) à jour, 7 déjà là" in out
    assert "mêmes données" in out
    assert main(["db", "status", "--from", target, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"]["projects"] == 7
    postgres_server.drop_database(target)


def test_migrate_to_a_foreign_database_is_refused_in_french(
    app_store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = f"sqlite:///{tmp_path / 'autre.sqlite'}"
    store = ProjectStore(other, locate=fake_locate)
    store.add_many([project(title=f"Autre {i}") for i in range(9)], actor="formulaire")
    store.close()
    assert main(["db", "migrate-to", other]) == 1
    err = capsys.readouterr().err
    assert "n'est pas une copie de cette base" in err and "Traceback" not in err


def test_backup_and_restore(
    app_store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "registre.backup"
    assert main(["db", "backup", "--out", str(out)]) == 0
    assert "Sauvegarde écrite" in capsys.readouterr().out
    store = ProjectStore(app_store, locate=fake_locate)
    store.add(project(title="Après"), actor="formulaire")
    assert main(["db", "restore", str(out)]) == 1  # not without --yes
    assert "--yes" in capsys.readouterr().err
    assert store.count() == 8
    assert main(["db", "restore", str(out), "--yes", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["projects"] == 7
    assert store.count() == 7
    store.close()
    assert main(["db", "restore", str(tmp_path / "absent.backup"), "--yes"]) == 1
    assert "Sauvegarde introuvable" in capsys.readouterr().err


def test_the_readmes_cron_line_backs_up_the_services_store(app_store: str, tmp_path: Path) -> None:
    """The nightly line of the README (Déployer, Backups), run as cron runs it: ``sh -c``
    with cron's bare environment, the service's settings only in its environment file."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    line = next(
        row for block in re.findall(r"```text\n(.*?)```", readme, flags=re.DOTALL)
        for row in block.splitlines() if "db backup" in row
    )  # fmt: skip
    command = line.split(None, 6)[6]  # minute hour day month weekday user command
    env_file = tmp_path / "env"
    env_file.write_text(
        f"# the service's environment file\nDATABASE_URL={app_store}\n"
        f"GEO_DATA_DIR={tmp_path / 'data'}\nGEO_DEMO=0\n",
        encoding="utf-8",
    )
    backups = tmp_path / "backups"
    backups.mkdir()
    python = ROOT / ".venv" / "bin" / "python"
    command = (
        command.replace("/etc/carte/env", str(env_file))
        .replace("/srv/carte", str(ROOT))
        .replace("/backups", str(backups))
        .replace("\\%", "%")  # crontab's escaped percent sign
        .replace(".venv/bin/python", str(python) if python.exists() else sys.executable)
    )
    done = subprocess.run(["sh", "-c", command], env={"PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    (dump,) = backups.glob("registre-*.dump")
    with sqlite3.connect(dump) as saved:
        assert saved.execute("SELECT count(*) FROM projects").fetchone()[0] == 7
    # Without the environment file (the line as it was), the same command finds no store
    # where the default settings look (a data folder of its own here), refuses, writes nothing.
    dump.unlink()
    bare = command.replace(f"set -a && . {env_file} && set +a && ", "")
    cron = {"PATH": "/usr/bin:/bin", "GEO_DATA_DIR": str(tmp_path / "defaut")}
    done = subprocess.run(["sh", "-c", bare], env=cron, capture_output=True, text=True,
                          check=False)  # fmt: skip
    assert done.returncode == 1 and "Aucun registre des projets" in done.stderr
    assert not list(backups.iterdir())
