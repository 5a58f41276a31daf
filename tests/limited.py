"""Run a command of ``python -m geo`` in a child process under a real resource limit, the way
a full disk or a small machine stops it: ``RLIMIT_FSIZE`` (a write past the size fails, as on
a full disk) or ``RLIMIT_AS`` (an allocation past the size fails, as out of memory). Output is
piped, so the limits never touch the test's own files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = """
import os, resource, signal, sys
kind, amount, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
import geo.cli, geo.projects.importer, geo.projects.exporter, geo.store, geopandas, pyogrio
import geo.territory, sqlalchemy, orjson  # imported before the limit, like a warm server
def limit():
    if kind == "fsize":
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails instead of killing us
        resource.setrlimit(resource.RLIMIT_FSIZE, (amount, resource.RLIM_INFINITY))
    elif kind == "memory":
        with open(f"/proc/{os.getpid()}/statm") as handle:
            used = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (used + amount, resource.RLIM_INFINITY))
if argv[0] == "--exec":
    exec(argv[1])  # a test's own few lines; they call limit() when the limit starts
    sys.exit(0)
limit()
sys.exit(geo.cli.main(argv))
"""


def run_geo_limited(
    kind: str, amount: int, argv: list[str], *, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m geo ARGV`` with a ``fsize`` (bytes per file) or ``memory`` (bytes more than
    the process holds once imported) limit; its exit code, stdout and stderr. ``ARGV`` may
    instead be ``["--exec", CODE]``: Python lines that call ``limit()`` where it starts."""
    environment = dict(os.environ if env is None else env)
    environment["PYTHONPATH"] = str(ROOT)
    # One thread for numeric libraries: no thread stacks to allocate under the memory limit.
    environment.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    return subprocess.run(
        [sys.executable, "-c", _CHILD, kind, str(amount), *argv],
        capture_output=True, text=True, env=environment, cwd=ROOT, timeout=300, check=False,
    )  # fmt: skip
