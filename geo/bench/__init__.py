"""Benchmarks behind ``python -m geo bench TARGET``: figures for the notes, never timed tests.

Owns the measuring of the domain code (``territories``, ``datasets``, ``projects``) and
dispatches the benchmarks that need Streamlit or a browser (``explorer``) to their scripts in
``benchmarks/`` beside the package, run in a child process: ``geo`` never imports Streamlit.
May import any ``geo`` package; nothing in ``geo`` imports it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from geo.errors import GeoError
from geo.settings import PROJECT_ROOT
from geo.territory import load_territories

TARGETS = ("territories", "datasets", "projects", "explorer")
#: Benchmarks written with the Streamlit code, run as ``python benchmarks/<target>.py --json``.
SCRIPTS = {"explorer": PROJECT_ROOT / "benchmarks" / "explorer.py"}


def run(
    target: str,
    *,
    points: int | None = None,
    repeat: int = 3,
    rows: int = 150_000,
    projects: int = 100_000,
) -> dict[str, Any]:
    """The figures of one benchmark, as a JSON-ready dict."""
    if target in SCRIPTS:
        options = ["--repeat", str(repeat)] + (["--points", str(points)] if points else [])
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
