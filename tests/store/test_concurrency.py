"""Several processes writing at once lose nothing and never see "database is locked"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from reference import ROOT
from store_helpers import fake_locate, project

from geo.store.project_store import ProjectStore

WORKER = ROOT / "tests" / "store_worker.py"


def run_workers(args: list[list[str]]) -> list[list[int]]:
    env = os.environ | {"PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), *a],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for a in args
    ]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err
        assert "locked" not in err
        outputs.append(json.loads(out))
    return outputs


def test_four_processes_add_and_edit_at_once(tmp_path: Path) -> None:
    # The database file does not exist yet: the four processes also migrate it concurrently.
    url = f"sqlite:///{tmp_path / 'projets.sqlite'}"
    added = run_workers([[url, str(worker), "50"] for worker in range(4)])

    store = ProjectStore(url, locate=fake_locate)
    ids = [pid for ids in added for pid in ids]
    assert len(ids) == len(set(ids)) == 200
    assert store.count() == 200
    frame = store.all_frame()
    assert sorted(frame["title"]) == sorted(f"Projet {w}-{i}" for w in range(4) for i in range(50))
    # Every edit landed on its own project.
    expected = {f"Projet {w}-{i}": f"modifié par {w}-{i}" for w in range(4) for i in range(50)}
    assert dict(zip(frame["title"], frame["summary"], strict=True)) == expected
    actions = [entry.action for entry in store.audit()]
    assert actions.count("create") == 200 and actions.count("update") == 200

    # Now all of them edit one shared project: every edit is applied and logged, in order.
    shared, token = store.add(project(title="Projet partagé"), actor="test")
    written = run_workers([[url, str(worker), "25", str(shared), token] for worker in range(4)])
    updates = [e for e in store.audit(shared) if e.action == "update"]
    assert len(updates) == 100
    assert sorted(e.after["charging_points"] for e in updates) == sorted(
        value for values in written for value in values
    )
    # Each update saw the value the previous one wrote: nothing was lost in between.
    for previous, current in zip(updates, updates[1:], strict=False):
        assert current.before["charging_points"] == previous.after["charging_points"]
    assert store.get(shared).charging_points == updates[-1].after["charging_points"]
    store.close()
