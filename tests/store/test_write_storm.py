"""Two app processes write at once on one database; one is killed (SIGKILL) in the middle of
the storm. Every write either acknowledged to its user is in the database, whole (its row, its
tags, its audit entry), and the other process goes on writing and reading (both engines)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict

import sqlalchemy as sa
from reference import ROOT
from store_helpers import fake_locate

from geo.store.project_store import ProjectFilter, ProjectStore

WRITER = ROOT / "tests" / "storm_writer.py"


class Writer:
    """A storm_writer.py process whose acknowledgements are read as they come."""

    def __init__(self, url: str, name: str, *, threads: int, seconds: float) -> None:
        env = os.environ | {"PYTHONPATH": f"{ROOT / 'tests'}{os.pathsep}{ROOT}"}
        self.process = subprocess.Popen(
            [sys.executable, str(WRITER), url, name, str(threads), str(seconds)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.acks: list[tuple[str, int, str, float]] = []
        self.ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.strip() == "ready":
                self.ready.set()
                continue
            _, kind, pid, value, at = line.split()
            self.acks.append((kind, int(pid), value, float(at)))

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self._reader.join(timeout=30)

    def finish(self) -> str:
        _, err = self.process.communicate(timeout=240)
        self._reader.join(timeout=30)
        return err


def test_a_process_killed_mid_storm_loses_nothing_acknowledged(store_url: str) -> None:
    ProjectStore(store_url, locate=fake_locate).close()  # migrated before the storm
    doomed = Writer(store_url, "a", threads=3, seconds=60)
    survivor = Writer(store_url, "b", threads=3, seconds=12)
    assert doomed.ready.wait(60) and survivor.ready.wait(60)
    deadline = time.time() + 60
    while len(doomed.acks) < 60 and time.time() < deadline:
        time.sleep(0.05)  # polling another process's progress, not waiting on a result
    assert len(doomed.acks) >= 60, "the first process wrote too little before the kill"
    doomed.kill()
    killed_at = time.time()
    assert doomed.process.returncode == -signal.SIGKILL
    err = survivor.finish()
    assert survivor.process.returncode == 0, err
    assert "locked" not in err and "Traceback" not in err

    # The other process kept writing after the kill.
    after = [a for a in survivor.acks if a[3] > killed_at + 0.5]
    assert len(after) >= 10, "the surviving process stopped writing when the other died"

    store = ProjectStore(store_url, locate=fake_locate)
    with store.engine.connect() as connection:
        rows = {
            r.id: r
            for r in connection.execute(
                sa.text("SELECT id, external_id, summary, status FROM projects")
            )
        }
        audit = defaultdict(list)
        for entry in store.audit():
            audit[entry.project_id].append(entry)
        themes = {
            r[0] for r in connection.execute(sa.text("SELECT project_id FROM project_themes"))
        }
    for kind, pid, value, _ in doomed.acks + survivor.acks:
        assert pid in rows, (kind, pid)
        entries = audit[pid]
        if kind == "add":
            assert rows[pid].external_id == value
            assert [e.action for e in entries][:1] == ["create"]
        elif kind == "update":
            assert any(e.action == "update" and e.after.get("summary") == value for e in entries)
        else:
            assert rows[pid].status == "publie"
            assert any(e.action == "status" and e.after.get("status") == "publie" for e in entries)
    # Nothing half-written either: every project has its tags and its creation in the log.
    assert set(rows) <= themes
    assert {pid for pid, entries in audit.items() if entries[0].action == "create"} == set(rows)
    # And the store still answers and takes writes.
    assert store.count(ProjectFilter(statuses=("publie",))) >= sum(
        1 for a in doomed.acks + survivor.acks if a[0] == "status"
    )
    store.add({"title": "Après l'orage", "themes": ["energie"], "lat": 45.19, "lon": 5.72},
              actor="formulaire")  # fmt: skip
    store.close()
