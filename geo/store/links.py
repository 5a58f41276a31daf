"""A project's links to actors and communs, rewritten with its tags at every write.

Carriers and partners become actors (:func:`resolve_actors`): the actor of that SIREN when the
carrier gives one; else the actor known by that folded name (case, accents and punctuation
ignored; the oldest when several are); else a new actor, not ``vetted`` (public only once one
of its projects is published). Two names that only look alike are never merged here: the
review list (:meth:`geo.store.actors.Actors.duplicates`) shows them to an operator.

Communs are linked by URL: each URL of ``commons`` (reused) and ``commons_produced`` is kept as
its :func:`~geo.projects.entities.url_key` in ``project_commons``; a commun whose address or
wiki page has that key is linked by a join, so a commun imported after the project finds it.

Every function runs inside the caller's write transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.projects.entities import name_key, url_key
from geo.projects.model import Project
from geo.store.db import actor_names, actors, project_actors, project_commons

ROLES = {"carrier": "porteur", "partner": "partenaire"}
RELATIONS = {"reuses": "réutilise", "produces": "produit"}
_CHUNK = 500


def _values(item: Project | Mapping[str, Any]) -> Mapping[str, Any]:
    return item if isinstance(item, Mapping) else item.model_dump(mode="json")


def _now() -> datetime:
    from geo.store.rows import now_utc

    return now_utc()


def insert_ids(connection: Connection, table: sa.Table, records: list[dict[str, Any]]) -> list[int]:
    """Insert rows and return their ids, in order (one statement on both engines)."""
    if not records:
        return []
    if connection.dialect.name == "sqlite":
        # Inside BEGIN IMMEDIATE nobody else inserts: number the rows ourselves.
        first = connection.execute(sa.select(sa.func.max(table.c.id))).scalar_one() or 0
        ids = list(range(first + 1, first + 1 + len(records)))
        connection.execute(
            table.insert(), [r | {"id": i} for i, r in zip(ids, records, strict=True)]
        )
        return ids
    statement = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    return list(connection.execute(statement, records).scalars())


def _chunks(values: Sequence[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield list(values[start : start + _CHUNK])


def resolve_actors(
    connection: Connection,
    organisations: Sequence[Mapping[str, Any]],
    *,
    vetted: bool = False,
    now: datetime | None = None,
) -> list[int | None]:
    """The actor id of each ``{"name", "type", "siren"}`` (None for a blank name), creating
    the actors nobody knows yet (``vetted`` when an operator names them)."""
    now = now or _now()
    sirens = sorted({str(o["siren"]) for o in organisations if o.get("siren")})
    keys = sorted({name_key(o.get("name")) for o in organisations} - {""})
    by_siren: dict[str, int] = {}
    for chunk in _chunks(sirens):
        query = sa.select(actors.c.siren, actors.c.id).where(actors.c.siren.in_(chunk))
        by_siren.update({row.siren: row.id for row in connection.execute(query)})
    by_key: dict[str, int] = {}
    for chunk in _chunks(keys):
        query = (
            sa.select(actor_names.c.name_key, sa.func.min(actor_names.c.actor_id).label("id"))
            .where(actor_names.c.name_key.in_(chunk))
            .group_by(actor_names.c.name_key)
        )
        by_key.update({row.name_key: row.id for row in connection.execute(query)})

    # Who is new: one actor per SIREN, else per folded name, whatever the batch repeats; a
    # name without SIREN goes to the actor a SIREN of the same batch creates under that name,
    # as it would in a later write (that actor is then known by the name).
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    ordered = sorted(organisations, key=lambda item: not item.get("siren"))
    for item in ordered:
        key, siren = name_key(item.get("name")), item.get("siren") or None
        if not key or (by_siren.get(siren) if siren else by_key.get(key)) is not None:
            continue
        if not siren and any(i[0] == "siren" and w["name_key"] == key for i, w in wanted.items()):
            continue
        ident = ("siren", siren) if siren else ("name", key)
        wanted.setdefault(
            ident,
            {
                "name": str(item["name"]).strip()[:200],
                "type": str(item.get("type") or "association"),
                "siren": siren,
                "website": None,
                "seat": None,
                "name_key": key[:200],
                "vetted": vetted,
                "created_at": now,
                "updated_at": now,
            },
        )
    made = dict(zip(wanted, insert_ids(connection, actors, list(wanted.values())), strict=True))
    if made:
        connection.execute(
            actor_names.insert(),
            [{"actor_id": made[i], "name_key": wanted[i]["name_key"]} for i in made],
        )
    made_by_key = {wanted[i]["name_key"]: made[i] for i in sorted(made, key=lambda i: -made[i])}
    result: list[int | None] = []
    for item in organisations:
        key, siren = name_key(item.get("name")), item.get("siren") or None
        if not key:
            result.append(None)
        elif siren:
            result.append(by_siren.get(siren) or made[("siren", siren)])
        else:
            result.append(by_key.get(key) or made_by_key[key[:200]])
    return result


def sync_projects(
    connection: Connection,
    items: Sequence[tuple[int, Project | Mapping[str, Any]]],
    *,
    fresh: bool = False,
) -> None:
    """Rewrite the actor and commun links of these projects from their fields."""
    ids = [pid for pid, _ in items]
    if not ids:
        return
    if not fresh:
        for chunk in _chunks(ids):
            connection.execute(
                project_actors.delete().where(project_actors.c.project_id.in_(chunk))
            )
            connection.execute(
                project_commons.delete().where(project_commons.c.project_id.in_(chunk))
            )
    named: list[tuple[int, str, Mapping[str, Any]]] = []
    commons: set[tuple[int, str, str]] = set()
    for pid, item in items:
        values = _values(item)
        for role, field in (("carrier", "carriers"), ("partner", "partners")):
            named += [(pid, role, organisation) for organisation in values.get(field) or []]
        for relation, field in (("reuses", "commons"), ("produces", "commons_produced")):
            commons |= {(pid, relation, url_key(url)) for url in values.get(field) or []}
    found = resolve_actors(connection, [organisation for _, _, organisation in named])
    rows = {
        (pid, actor_id, role)
        for (pid, role, _), actor_id in zip(named, found, strict=True)
        if actor_id is not None
    }
    if rows:
        connection.execute(
            project_actors.insert(),
            [{"project_id": p, "actor_id": a, "role": r} for p, a, r in sorted(rows)],
        )
    commons = {row for row in commons if row[2]}
    if commons:
        connection.execute(
            project_commons.insert(),
            [{"project_id": p, "relation": r, "url_key": k[:2000]} for p, r, k in sorted(commons)],
        )
