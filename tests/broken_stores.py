"""Project stores broken the way real ones break: a file that is not SQLite, a damaged page,
a database opened read-only, a folder that cannot exist, a full database. Each returns a
``DATABASE_URL``; every one is a real SQLite file (or the lack of one), nothing is mocked."""

from __future__ import annotations

import os
from pathlib import Path

from store_helpers import fake_locate, project

from geo.store.identity import Operator
from geo.store.project_store import ProjectStore


def not_a_database(folder: Path) -> str:
    path = folder / "projets.sqlite"
    path.write_bytes(os.urandom(16 * 1024))  # e.g. a backup restored from the wrong file
    return f"sqlite:///{path}"


def filled(folder: Path, count: int = 300) -> Path:
    path = folder / "projets.sqlite"
    store = ProjectStore(f"sqlite:///{path}", locate=fake_locate)
    store.add_many([project(title=f"Projet {i}", description="x" * 500) for i in range(count)],
                   actor=Operator("essai"), status="publie")  # fmt: skip
    store.close()
    return path


def malformed(folder: Path) -> str:
    """A store whose pages after the first (schema) one were overwritten: SQLite opens it and
    answers "database disk image is malformed" when it reads the tables."""
    path = filled(folder)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big") or 65536
    data[page:] = bytes([0x5A]) * (len(data) - page)
    path.write_bytes(bytes(data))
    return f"sqlite:///{path}"


def cannot_be_opened(folder: Path) -> str:
    """Its folder is a file: "unable to open database file" whatever the user's rights."""
    blocker = folder / "donnees"
    blocker.write_text("not a folder", encoding="utf-8")
    return f"sqlite:///{blocker / 'projets.sqlite'}"


def read_only(folder: Path) -> str:
    """A filled store opened read-only (a read-only mount, as root would not see chmod)."""
    path = filled(folder, count=3)
    return f"sqlite:///file:{path}?mode=ro&uri=true"
