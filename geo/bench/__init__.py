"""Benchmarks behind ``python -m geo bench TARGET``: figures for the notes, never timed tests.

Owns the measuring of the domain code (``territories``, ``datasets``, ``projects``, ``load``
— several processes on one store —, ``portrait``) and
dispatches the benchmarks that need Streamlit or a browser (``explorer``, ``app``, ``kit``,
``soak``) to their
scripts in ``benchmarks/`` beside the package, run in a child process: ``geo`` never imports
Streamlit. May import any ``geo`` package; nothing in ``geo`` imports it.

Every benchmark runs on the mirror given by ``--mirror``, by default the national one
(``../shared/opendata-france``, every French commune) when it is beside the project, else the
small one with a notice; each mirror gets a data directory of its own under
``GEO_DATA_DIR/bench-<mirror>`` so that figures of one are never measured on the other's cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from geo.bench.common import host_loop_seconds
from geo.errors import GeoError
from geo.settings import PROJECT_ROOT, get_settings
from geo.territory import load_territories

TARGETS = (
    "territories", "datasets", "projects", "load", "portrait", "explorer", "app", "kit", "soak",
)  # fmt: skip
#: Benchmarks written with the Streamlit code, run as ``python benchmarks/<target>.py --json``.
SCRIPTS = {
    "explorer": PROJECT_ROOT / "benchmarks" / "explorer.py",
    "app": PROJECT_ROOT / "benchmarks" / "app.py",
    "kit": PROJECT_ROOT / "benchmarks" / "kit.py",
    "soak": PROJECT_ROOT / "benchmarks" / "soak.py",
}
#: Mirrors looked for beside the project, the national one first.
MIRRORS = (
    PROJECT_ROOT.parent / "shared" / "opendata-france",
    PROJECT_ROOT.parent / "shared" / "opendata",
)


def use_mirror(mirror: Path | None) -> Path:
    """Point this process (and its children) at ``mirror``, or the national mirror when it is
    beside the project, and at a data directory of that mirror's own; the mirror used."""
    if mirror is None:
        mirror = next((m for m in MIRRORS if m.is_dir()), None)
        if mirror is None:
            msg = "Aucun miroir des données ouvertes trouvé : indiquer --mirror DOSSIER."
            raise GeoError(msg)
        if mirror != MIRRORS[0]:
            print(
                f"Miroir national absent ({MIRRORS[0]}) : mesures sur le petit miroir {mirror}.",
                file=sys.stderr,
            )
    mirror = Path(mirror).expanduser().resolve()
    if not mirror.is_dir():
        msg = f"Miroir introuvable : {mirror}."
        raise GeoError(msg)
    base = get_settings().data_dir
    os.environ["GEO_DATA_MIRROR"] = str(mirror)
    os.environ["GEO_DATA_DIR"] = str(base / f"bench-{mirror.name}")
    return mirror


def run(
    target: str,
    *,
    points: int | None = None,
    repeat: int = 3,
    rows: int = 150_000,
    projects: int = 100_000,
    mirror: Path | None = None,
    load: dict[str, Any] | None = None,
    soak: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The figures of one benchmark, as a JSON-ready dict (``mirror`` says on what, and
    ``host_loop_seconds`` how fast the shared host was before and after the runs);
    ``load`` holds the options of ``load`` (engine, workers, seconds, database_url), ``soak``
    those of ``soak`` (minutes, contexts)."""
    used = use_mirror(mirror)
    before = host_loop_seconds()
    result = _run(
        target,
        points=points,
        repeat=repeat,
        rows=rows,
        projects=projects,
        load=load or {},
        soak=soak or {},
    )
    return {**result, "mirror": str(used), "host_loop_seconds": [before, host_loop_seconds()]}


def _run(
    target: str,
    *,
    points: int | None,
    repeat: int,
    rows: int,
    projects: int,
    load: dict[str, Any],
    soak: dict[str, Any],
) -> dict:
    if target in SCRIPTS:
        options = ["--repeat", str(repeat)] + (["--points", str(points)] if points else [])
        if target == "soak":
            options += [f"--{name}={value}" for name, value in soak.items() if value is not None]
        return run_script(target, options)
    if target == "territories":
        from geo.bench.territories import bench_territories

        return bench_territories(load_territories(), points=points or 1_000_000, repeat=repeat)
    if target == "datasets":
        from geo.bench.datasets import bench_datasets

        return bench_datasets(rows=rows)
    if target == "projects":
        from geo.bench.projects import bench_projects

        return bench_projects(load_territories(), count=projects, repeat=repeat)
    if target == "load":
        from geo.bench.load import bench_load

        return bench_load(load_territories(), count=projects, **load)
    if target == "portrait":
        from geo.bench.portrait import bench_portrait

        return bench_portrait(load_territories(), repeat=repeat)
    msg = f"Benchmark inconnu : {target} (attendu : {', '.join(TARGETS)})."
    raise GeoError(msg)


def run_script(target: str, options: list[str]) -> dict[str, Any]:
    """Run ``benchmarks/<target>.py --json OPTIONS`` in a child process and read its JSON."""
    script = SCRIPTS[target]
    if not script.is_file():
        msg = f"Le benchmark {target} n'est pas installé ({script.name} introuvable)."
        raise GeoError(msg)
    done = subprocess.run(
        [sys.executable, str(script), "--json", *options],
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_ROOT,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        msg = f"Le benchmark {target} a échoué (code {done.returncode})."
        raise GeoError(msg)
    return json.loads(done.stdout)
