"""A separate process writing to the store: ``python store_worker.py URL WORKER COUNT [ID TOKEN]``.

Without ID: adds COUNT projects and edits each one with its token. With ID and TOKEN: edits
that shared project COUNT times. Prints one JSON line with what it did; any error exits 1.
"""

from __future__ import annotations

import json
import sys

from store_helpers import fake_locate, project

from geo.store.project_store import ProjectStore


def main() -> None:
    url, worker, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    store = ProjectStore(url, locate=fake_locate)
    done = []
    if len(sys.argv) > 4:
        shared, token = int(sys.argv[4]), sys.argv[5]
        for i in range(count):
            store.update(shared, {"charging_points": worker * 1000 + i}, token=token)
            done.append(worker * 1000 + i)
    else:
        for i in range(count):
            pid, token = store.add(project(title=f"Projet {worker}-{i}"), actor=f"worker{worker}")
            store.update(pid, {"summary": f"modifié par {worker}-{i}"}, token=token)
            done.append(pid)
    print(json.dumps(done))


if __name__ == "__main__":
    main()
