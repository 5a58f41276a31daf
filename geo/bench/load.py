"""``python -m geo bench load``: several app processes on one database, a realistic mix, no loss.

A scratch store is filled with ``projects`` synthetic projects (95 % published, 5 % proposed,
spread like real points over the loaded communes, written by the store's own bulk path); then
``workers`` processes, each with its own :class:`~geo.store.ProjectStore` as an app process
has, run for ``seconds`` against it a mix of

- ``filter`` (80 %): the public's queries — one page of published projects (50) and the total
  count, for a territory (région, département, EPCI or commune, drawn as often as they hold
  projects) often with a theme and/or a word of text, sometimes the whole of France with a
  theme and a word;
- ``submission`` (15 %): a contribution through the public path (``add``, proposed, located;
  the reference's answer for each point is computed once beforehand so that workers need not
  load the territory reference);
- ``moderation`` (5 %): a moderator (a national account, one session per worker) approves a
  proposed project (``store.moderation.approve``: session and scope checked, audit entry).

Every write a worker saw succeed is recorded; at the end each is looked up in the database
(the submission with its external id, the moderation's status and audit entry):
``found_writes`` must equal ``acknowledged_writes``. Latencies are per operation, wall time in
the worker (what a user waits for). ``engine`` ``postgresql`` runs on a throwaway cluster of
``scripts/pg-test-cluster.sh`` with PostgreSQL's default (durable) settings, or in a scratch
database created on the server of ``--database-url`` and dropped afterwards; ``sqlite`` on a
scratch file (WAL). Never on the app's own store.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import random
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa

from geo.bench.common import sample_points
from geo.bench.projects import synthetic_rows
from geo.errors import GeoError
from geo.settings import PROJECT_ROOT
from geo.store.db import projects as projects_table
from geo.store.identity import Operator
from geo.store.project_store import ProjectFilter, ProjectStore
from geo.territory import TERRITORY_COLUMNS, Territories, TerritoryRef

CLUSTER_SCRIPT = PROJECT_ROOT / "scripts" / "pg-test-cluster.sh"
MIX = (("filter", 0.80), ("submission", 0.15), ("moderation", 0.05))
SOURCE = "bench-load"
MODERATOR = "mesure-moderation"
_WORDS = ("solaire", "eolien", "chaleur", "biogaz", "renovation", "covoiturage", "autopartage",
          "velo", "recharge", "navette", "vercors", "plateau", "coteaux", "vallee")  # fmt: skip
_CHUNK = 5000


def bench_load(
    territories: Territories,
    *,
    engine: str = "postgresql",
    workers: int = 8,
    seconds: float = 30.0,
    count: int = 100_000,
    database_url: str | None = None,
) -> dict[str, Any]:
    if engine not in ("postgresql", "sqlite"):
        msg = f"Moteur inconnu : {engine} (attendu : postgresql, sqlite)."
        raise GeoError(msg)
    with scratch_database(engine, database_url) as (url, server_pid):
        started = time.perf_counter()
        proposed = seed(url, territories, count)
        seed_seconds = time.perf_counter() - started
        filters = filter_pool(url, random.Random(15))
        places = submission_places(territories, 4000)
        load = os.getloadavg()[0]
        server_before = server_cpu_seconds(server_pid)
        results = run_workers(url, workers, seconds, filters, places, proposed)
        server_after = server_cpu_seconds(server_pid)
        acknowledged = [write for result in results for write in result["writes"]]
        found = count_found(url, acknowledged)
        per_op = {}
        for name, _ in MIX:
            latencies = np.array([ms for r in results for ms in r["latencies"][name]])
            per_op[name] = {
                "per_s": round(len(latencies) / seconds, 1),
                "p50_ms": round(float(np.percentile(latencies, 50)), 2) if len(latencies) else None,
                "p95_ms": round(float(np.percentile(latencies, 95)), 2) if len(latencies) else None,
                "count": int(len(latencies)),
                "errors": sum(r["errors"][name] for r in results),
            }
    ops = sum(op["count"] for op in per_op.values())
    client = sum(r["cpu_seconds"] for r in results)
    server = None if server_before is None else server_after - server_before
    return {
        "engine": engine,
        "workers": workers,
        "seconds": seconds,
        "ops": ops,
        "per_op": per_op,
        "acknowledged_writes": len(acknowledged),
        "found_writes": found,
        "projects": count,
        "seed_seconds": round(seed_seconds, 1),
        # CPU spent per operation by the workers and (own cluster) the database server: what
        # the figures would be on cores nobody else uses, whatever else ran meanwhile.
        "cpu_ms_per_op": {
            "workers": round(client / max(ops, 1) * 1000, 2),
            "database": None if server is None else round(server / max(ops, 1) * 1000, 2),
        },
        "load_average_before": round(load, 2),
        "cpus": os.cpu_count(),
    }


# --- the scratch database ---------------------------------------------------------------------


@contextlib.contextmanager
def scratch_database(engine: str, database_url: str | None) -> Iterator[tuple[str, int | None]]:
    """The URL of a scratch database, and the pid of its server when it is ours."""
    if engine == "sqlite":
        with tempfile.TemporaryDirectory(prefix="geo-bench-load-") as folder:
            yield f"sqlite:///{Path(folder) / 'bench.sqlite'}", None
        return
    if database_url:
        for url in _scratch_on_server(database_url):
            yield url, None
        return
    folder = Path(tempfile.mkdtemp(prefix="geo-bench-pg-"))
    folder.chmod(0o711)  # the server runs as another user when we are root
    cluster = folder / "cluster"
    done = subprocess.run(["bash", str(CLUSTER_SCRIPT), "start", str(cluster)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        msg = (
            "Impossible de démarrer un PostgreSQL de mesure (scripts/pg-test-cluster.sh) : "
            f"{done.stderr.strip()} ; ou indiquez --database-url d'un serveur PostgreSQL."
        )
        raise GeoError(msg)
    try:
        pid = int((cluster / "data" / "postmaster.pid").read_text().split()[0])
        for url in _scratch_on_server(done.stdout.strip()):
            yield url, pid
    finally:
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "stop", str(cluster)],
                       capture_output=True, check=False)  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


def _scratch_on_server(server_url: str) -> Iterator[str]:
    name = f"geo_bench_{os.getpid()}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def server_cpu_seconds(pid: int | None) -> float | None:
    """CPU time of a local PostgreSQL server and its processes (backends, writers) so far."""
    if pid is None:
        return None
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a process that ended meanwhile
        if int(stat.parent.name) == pid:  # with the backends that ended (children's time)
            total += sum(int(v) for v in fields[11:15]) / tick
        elif int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


# --- seeding ------------------------------------------------------------------------------------


def seed(url: str, territories: Territories, count: int) -> list[int]:
    """Fill the store; the ids of the proposed projects (what moderators will publish)."""
    store = ProjectStore(url, locate=territories)
    rows = synthetic_rows(sample_points(territories, count, seed=15), seed=15)
    proposed: list[int] = []
    operator = Operator("bench")
    store.moderators.add(MODERATOR, operator=operator)
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        to_propose = chunk[: len(chunk) // 20]
        results = store.add_many(chunk[len(to_propose) :], actor=operator, status="publie")
        results += store.add_many(to_propose, actor=operator, status="propose")
        if any(r.action != "created" for r in results):
            msg = "Remplissage de la base de mesure incomplet."
            raise GeoError(msg)
        proposed += [r.id for r in results[-len(to_propose) :]] if to_propose else []
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # What a database in service has: statistics for the planner, a visibility map.
        connection.exec_driver_sql("VACUUM ANALYZE" if "postgresql" in url else "ANALYZE")
    store.close()
    return proposed


def filter_pool(url: str, rng: random.Random, size: int = 600) -> list[ProjectFilter]:
    """Public queries, territories drawn as often as they hold published projects."""
    store = ProjectStore(url, locate=lambda lat, lon: None)
    weights: dict[str, tuple[list[str], list[int]]] = {}
    with store.engine.connect() as connection:
        for level in ("commune", "epci", "departement", "region"):
            column = projects_table.c[f"code_{level}"]
            rows = connection.execute(
                sa.select(column, sa.func.count())
                .where(column.is_not(None), projects_table.c.status == "publie")
                .group_by(column)
            ).all()
            weights[level] = ([r[0] for r in rows], [r[1] for r in rows])
    store.close()

    def territory(level: str) -> TerritoryRef:
        codes, counts = weights[level]
        return TerritoryRef(level, rng.choices(codes, weights=counts)[0])

    published = ("publie",)
    pool = []
    for _ in range(size):
        draw = rng.random()
        theme = (rng.choice(["energie", "mobilite"]),)
        word = rng.choice(_WORDS)
        if draw < 0.30:
            criteria = ProjectFilter(territory=territory("departement"), themes=theme)
        elif draw < 0.45:
            criteria = ProjectFilter(territory=territory("epci"), themes=theme)
        elif draw < 0.60:
            criteria = ProjectFilter(territory=territory("commune"))
        elif draw < 0.70:
            criteria = ProjectFilter(territory=territory("region"), themes=theme, text=word)
        elif draw < 0.90:
            criteria = ProjectFilter(territory=territory("departement"), text=word)
        else:
            criteria = ProjectFilter(themes=theme, text=word)
        pool.append(replace(criteria, statuses=published))
    return pool


def submission_places(territories: Territories, count: int) -> list[tuple[float, float, tuple]]:
    points = sample_points(territories, count, seed=16)
    located = territories.locate(points[:, 0], points[:, 1])
    codes = [
        tuple(None if v is None or v != v else str(v) for v in row)
        for row in located[list(TERRITORY_COLUMNS)].itertuples(index=False)
    ]
    return [(float(lat), float(lon), c) for (lat, lon), c in zip(points, codes, strict=True)]


# --- the workers --------------------------------------------------------------------------------


def run_workers(
    url: str,
    workers: int,
    seconds: float,
    filters: list[ProjectFilter],
    places: list[tuple[float, float, tuple]],
    proposed: list[int],
) -> list[dict[str, Any]]:
    context = multiprocessing.get_context("spawn")
    ready, results = context.Queue(), context.Queue()
    go = context.Event()
    processes = []
    for index in range(workers):
        share = proposed[index::workers]  # each its own: two moderators never race on one
        process = context.Process(
            target=_worker,
            args=(url, index, seconds, filters, places, share, ready, go, results),
            daemon=True,
        )
        process.start()
        processes.append(process)
    try:
        for _ in processes:
            ready.get(timeout=300)
        go.set()
        collected = [results.get(timeout=seconds + 300) for _ in processes]
    except queue.Empty as error:
        msg = "Un processus de mesure ne répond pas (voir son erreur ci-dessus)."
        raise GeoError(msg) from error
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    failed = [r["failure"] for r in collected if r.get("failure")]
    if failed:
        msg = f"Un processus de mesure a échoué : {failed[0]}"
        raise GeoError(msg)
    return collected


def _worker(url, index, seconds, filters, places, proposed, ready, go, results) -> None:  # noqa: ANN001, PLR0913 - a process entry point
    try:
        results.put(_work(url, index, seconds, filters, places, proposed, ready, go))
    except Exception as error:  # noqa: BLE001 - reported to the parent, which fails
        results.put({"failure": f"{type(error).__name__}: {error}"})


def _work(url, index, seconds, filters, places, proposed, ready, go) -> dict[str, Any]:  # noqa: ANN001, PLR0913
    by_place = {(lat, lon): codes for lat, lon, codes in places}

    def locate(lats, lons):  # noqa: ANN001, ANN202 - Territories.locate's shape
        import pandas as pd

        pairs = zip(lats, lons, strict=True)
        rows = [by_place.get((float(a), float(b)), (None,) * 4) for a, b in pairs]
        return pd.DataFrame(rows, columns=list(TERRITORY_COLUMNS), dtype=object)

    store = ProjectStore(url, locate=locate)
    rng = random.Random(1000 + index)
    moderator = store.moderators.session_for(MODERATOR, operator=Operator("bench"))
    pending = list(proposed)
    latencies: dict[str, list[float]] = {name: [] for name, _ in MIX}
    errors = {name: 0 for name, _ in MIX}
    writes: list[tuple[str, int, str]] = []
    store.query(filters[0], limit=50)  # connected before the clock starts
    ready.put(index)
    go.wait()
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    end = time.monotonic() + seconds
    submitted = 0
    while time.monotonic() < end:
        draw = rng.random()
        start = time.perf_counter()
        try:
            if draw < MIX[0][1]:
                name = "filter"
                store.query(rng.choice(filters), limit=50)
            elif draw < MIX[0][1] + MIX[1][1] or not pending:
                name = "submission"
                lat, lon, _ = rng.choice(places)
                external = f"w{index}-{submitted}"
                submitted += 1
                pid, _ = store.add(_contribution(rng, lat, lon, external), actor="formulaire")
                writes.append(("submission", pid, external))
                pending.append(pid)
            else:
                name = "moderation"
                pid = pending.pop(rng.randrange(len(pending)))
                store.moderation.approve(pid, moderator)
                writes.append(("moderation", pid, moderator.actor))
        except GeoError:
            errors[name] += 1
            continue
        latencies[name].append((time.perf_counter() - start) * 1000)
    spent = resource.getrusage(resource.RUSAGE_SELF)
    store.close()
    cpu_seconds = spent.ru_utime - cpu.ru_utime + spent.ru_stime - cpu.ru_stime
    return {"latencies": latencies, "errors": errors, "writes": writes, "cpu_seconds": cpu_seconds}


def _contribution(rng: random.Random, lat: float, lon: float, external: str) -> dict[str, Any]:
    theme = rng.choice(["energie", "mobilite"])
    category = "solaire" if theme == "energie" else "covoiturage"
    return {
        "title": f"Contribution {external} {rng.choice(_WORDS)}",
        "summary": "Proposé pendant la mesure de charge.",
        "description": "Un projet proposé par un collectif, avec quelques lignes de texte. " * 4,
        "themes": [theme],
        "categories": [category],
        "stage": "idee",
        "carriers": [{"name": "Collectif de la mesure", "type": "collectif_citoyen"}],
        "lat": lat,
        "lon": lon,
        "contact_email": "contact@exemple.org",
        "source": SOURCE,
        "external_id": external,
    }


# --- nothing lost -------------------------------------------------------------------------------


def count_found(url: str, writes: list[tuple[str, int, str]]) -> int:
    """How many acknowledged writes the database holds (each looked up, none assumed)."""
    store = ProjectStore(url, locate=lambda lat, lon: None)
    found = 0
    with store.engine.connect() as connection:
        submitted = dict(
            connection.execute(
                sa.select(projects_table.c.id, projects_table.c.external_id).where(
                    projects_table.c.source == SOURCE
                )
            ).all()
        )
        status = dict(
            connection.execute(sa.select(projects_table.c.id, projects_table.c.status)).all()
        )
        decided = {
            (row[0], row[1])
            for row in connection.exec_driver_sql(
                "SELECT project_id, actor FROM audit_log WHERE action = 'approve'"
            )
        }
    store.close()
    for kind, pid, detail in writes:
        if kind == "submission":
            found += submitted.get(pid) == detail
        else:
            found += status.get(pid) == "publie" and (pid, detail) in decided
    return found
