"""Copying published projects and tours into another store under the same ids: an offline
territory kit (:mod:`geo.kit`) holds them so that every link to them (a tour's stop naming
its project, a shared Explorer view) works the same on the kit.

An operator's action only (``python -m geo kit build``). Projects keep their fields, status
and dates; their private contact e-mail is left behind and their edit token is replaced by
one nobody holds (an edit goes through the main store). Tours keep their stops and their
private key's hash, so that their author's private link opens them on the kit too. Each copy
is one transaction, in the audit log of the target as ``kit`` (``operateur:NAME``).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.errors import EditDeniedError
from geo.projects.model import Project
from geo.store.db import projects, run_with_retry, tour_stops, tours
from geo.store.identity import Operator
from geo.store.project_store import ProjectStore
from geo.store.rows import codes_of, hash_token, jsonable, record_of, replace_tags, write_audit
from geo.store.tours import Tour, audit_tour

KIT_ACTION = "kit"


def _require_operator(operator: object) -> Operator:
    if not isinstance(operator, Operator):
        msg = "Seul un opérateur (commande sur le serveur) copie des projets dans un kit."
        raise EditDeniedError(msg)
    return operator


def copy_projects(target: ProjectStore, items: Iterable[Project], *, operator: Operator) -> int:
    """Insert ``items`` into ``target`` with their ids (those already there are left as
    they are); how many were copied."""
    actor = _require_operator(operator).actor
    items = [p for p in items if p.id is not None]

    def work(connection: Connection) -> int:
        present = set(connection.execute(sa.select(projects.c.id)).scalars())
        fresh = [p for p in items if p.id not in present]
        for project in fresh:
            record = record_of(project, codes_of(project)) | {
                "id": project.id,
                "contact_email": None,
                "status": project.status,
                "created_at": project.created_at,
                "updated_at": project.updated_at,
                "last_confirmed_at": project.last_confirmed_at,
                "token_hash": hash_token(secrets.token_urlsafe(32)),
            }
            connection.execute(projects.insert().values(record))
            write_audit(connection, actor, KIT_ACTION, int(project.id), None, project,
                        project.updated_at or project.created_at)  # type: ignore[arg-type]  # fmt: skip
        replace_tags(connection, [(int(p.id), p) for p in fresh], fresh=True)  # type: ignore[arg-type]
        return len(fresh)

    done = run_with_retry(target.engine, work, write=True)
    _move_sequence(target, "projects")
    return done


def copy_tours(target: ProjectStore, items: Iterable[Tour], token_hashes: dict[int, str], *,
               operator: Operator) -> int:  # fmt: skip
    """Insert ``items`` into ``target`` with their ids and their key's hash."""
    actor = _require_operator(operator).actor
    items = list(items)

    def work(connection: Connection) -> int:
        present = set(connection.execute(sa.select(tours.c.id)).scalars())
        copied = 0
        for tour in (t for t in items if t.id not in present):
            connection.execute(tours.insert().values(
                id=tour.id, title=tour.title, territory=tour.territory, status=tour.status,
                token_hash=token_hashes[tour.id], created_at=tour.created_at,
                updated_at=tour.updated_at, copied_from=tour.copied_from,
            ))  # fmt: skip
            if tour.stops:
                connection.execute(tour_stops.insert(), [
                    {"tour_id": tour.id, "position": s.position, "kind": s.kind,
                     "title": s.title, "note": s.note, "params": s.params,
                     "created_at": tour.updated_at}
                    for s in tour.stops
                ])  # fmt: skip
            audit_tour(connection, actor, "parcours_copie", tour.id, None,
                   jsonable({"title": tour.title, "stops": len(tour.stops), "kit": True}),
                   tour.updated_at)  # fmt: skip
            copied += 1
        return copied

    done = run_with_retry(target.engine, work, write=True)
    _move_sequence(target, "tours")
    return done


def token_hashes(source: ProjectStore, ids: Iterable[int]) -> dict[int, str]:
    """The stored hashes of these tours' keys (never a key: only hashes are stored)."""
    wanted = list(ids)
    query = sa.select(tours.c.id, tours.c.token_hash).where(tours.c.id.in_(wanted))
    rows = run_with_retry(source.engine, lambda c: c.execute(query).all(), write=False)
    return {int(r.id): r.token_hash for r in rows}


def _move_sequence(store: ProjectStore, table: str) -> None:
    """Ids given by hand: PostgreSQL's sequence moves past them (SQLite needs nothing)."""
    if store.engine.dialect.name != "postgresql":
        return
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - our names
            f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
        )


def copy_communs(
    origin: ProjectStore, target: ProjectStore, project_ids: Iterable[int], *, operator: Operator
) -> int:
    """Save into ``target`` the public communs the given projects reuse or produced, with
    their maintainers, so that a kit's commun pages show them (the kit gives them its own
    ids: they are found by their address, as the projects' links are); how many."""
    linked = origin.communs.of_projects(project_ids)
    rows = {row.id: row for pairs in linked.values() for _, row in pairs}
    items = []
    for row in sorted(rows.values(), key=lambda r: r.id):
        maintainers = [origin.actors.get(actor_id) for actor_id, _ in row.maintainers]
        items.append(
            {
                "title": row.title, "kind": row.kind, "url": row.url, "licence": row.licence,
                "summary": row.summary, "description": row.description, "themes": row.themes,
                "tags": row.tags, "lat": row.lat, "lon": row.lon, "source": row.source,
                "external_id": row.external_id,
                "maintainers": [{"name": a.name, "type": a.type, "siren": a.siren}
                                for a in maintainers],
            }
        )  # fmt: skip
    if not items:
        return 0
    target.communs.save_many(items, operator=_require_operator(operator))
    return len(items)
