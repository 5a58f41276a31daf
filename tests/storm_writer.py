"""An app process in a write storm: ``python storm_writer.py URL NAME THREADS SECONDS``.

Each thread writes through the store as the app does — a contribution (``add``, proposed),
its correction by the edit link (``update``), an operator's publication (``set_status``) — and
prints one line per write *after* the store returned, flushed at once: ``ack KIND ID VALUE
TIME``. A line printed is a write acknowledged to its user; a process killed mid-write prints
nothing for that write. No pytest import here.
"""

from __future__ import annotations

import sys
import threading
import time

from store_helpers import fake_locate, project

from geo.store.identity import Operator
from geo.store.project_store import ProjectStore

_print = threading.Lock()


def ack(kind: str, pid: int, value: str) -> None:
    with _print:
        sys.stdout.write(f"ack {kind} {pid} {value} {time.time():.6f}\n")
        sys.stdout.flush()


def storm(store: ProjectStore, name: str, thread: int, end: float) -> None:
    operator = Operator(f"orage-{name}")
    count = 0
    while time.time() < end:
        external = f"{name}-{thread}-{count}"
        count += 1
        pid, token = store.add(
            project(title=f"Orage {external}", source="orage", external_id=external,
                    description="Écrit pendant l'orage. " * 20),
            actor="formulaire",
        )  # fmt: skip
        ack("add", pid, external)
        summary = f"corrige-{external}"
        store.update(pid, {"summary": summary}, token=token)
        ack("update", pid, summary)
        if count % 3 == 0:
            store.set_status(pid, "publie", operator=operator)
            ack("status", pid, "publie")


def main() -> None:
    url, name, threads, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    store = ProjectStore(url, locate=fake_locate)
    end = time.time() + seconds
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    workers = [
        threading.Thread(target=storm, args=(store, name, i, end), daemon=True)
        for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    store.close()


if __name__ == "__main__":
    main()
