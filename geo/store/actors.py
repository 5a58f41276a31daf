"""Actors (organisations) in the store: lists, pages, an operator's records, the duplicates
review and merges. Reached as ``store.actors``.

Who sees what: an actor is public when it is ``vetted`` (an operator recorded it: ``actors
add``, the demo, a wiki import's maintainers) or when one of its projects is published and not
hidden; an actor known only from a proposal (the carrier a visitor typed) waits, as the
proposal does, for a moderator to publish that project. Its public projects are its published
ones. Only an :class:`~geo.store.identity.Operator` records, merges or tells actors apart;
each such write is in the audit log (``subject`` ``actor:<id>``).

Matching carriers into actors is :mod:`geo.store.links` (every project write). Likely
duplicates — the same folded name under two actors, names that differ by a letter or a word,
one name inside the other — are listed by :meth:`Actors.duplicates`, never merged silently;
two actors with different SIRENs are two organisations and are not listed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from rapidfuzz import fuzz
from sqlalchemy.engine import Connection

from geo.errors import EditDeniedError, EntityNotFoundError, GeoError
from geo.projects.entities import Actor, name_key, parse_actor
from geo.store import links
from geo.store.db import (
    actor_distinct,
    actor_names,
    actors,
    audit_log,
    commun_maintainers,
    project_actors,
    projects,
    run_with_retry,
)
from geo.store.identity import Operator
from geo.store.rows import now_utc

if TYPE_CHECKING:
    from geo.store.project_store import ProjectStore

#: Names at least this similar (rapidfuzz's token sort ratio, 0-100) are listed as duplicates.
SIMILAR_NAMES = 88


@dataclass(frozen=True)
class ActorRow:
    id: int
    name: str
    type: str
    siren: str | None
    website: str | None
    seat: str | None
    vetted: bool
    #: Project ids (published ones for the public), and the roles in each.
    projects: list[int] = field(default_factory=list)
    roles: dict[int, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "siren": self.siren,
            "projects": list(self.projects),
        }


@dataclass(frozen=True)
class Duplicate:
    first: ActorRow
    second: ActorRow
    reason: str
    score: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "first": self.first.to_dict(),
            "second": self.second.to_dict(),
            "reason": self.reason,
            "score": self.score,
        }


def public_project() -> Any:
    """A project anyone may see: published, not hidden by reports."""
    return sa.and_(projects.c.status == "publie", projects.c.hidden == sa.false())


def visible_actor() -> Any:
    shown = sa.exists().where(
        project_actors.c.actor_id == actors.c.id,
        project_actors.c.project_id == projects.c.id,
        public_project(),
    )
    return sa.or_(actors.c.vetted == sa.true(), shown)


def entity_audit(
    connection: Connection,
    actor: str,
    action: str,
    subject: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    *,
    note: str | None = None,
) -> None:
    connection.execute(
        audit_log.insert().values(
            at=now_utc(),
            actor=actor[:200],
            action=action[:30],
            project_id=None,
            subject=subject[:40],
            before=dict(before) if before else None,
            after=dict(after) if after else None,
            note=note,
        )
    )


def _row_dict(row: Any) -> dict[str, Any]:
    return {
        "name": row.name,
        "type": row.type,
        "siren": row.siren,
        "website": row.website,
        "seat": row.seat,
        "vetted": bool(row.vetted),
    }


def _operator(operator: object) -> str:
    if not isinstance(operator, Operator):
        msg = "Cette action est réservée à un opérateur (commande sur le serveur)."
        raise EditDeniedError(msg)
    return operator.actor


class Actors:
    def __init__(self, store: ProjectStore) -> None:
        self._store = store

    # --- reads -----------------------------------------------------------------------------

    def _rows(self, connection: Connection, where: list[Any], *, public: bool) -> list[ActorRow]:
        if public:
            where = [*where, visible_actor()]
        found = connection.execute(
            sa.select(actors).where(*where).order_by(actors.c.name_key, actors.c.id)
        ).all()
        ids = [row.id for row in found]
        roles: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
        for chunk in links._chunks(ids):
            query = (
                sa.select(
                    project_actors.c.actor_id, project_actors.c.project_id, project_actors.c.role
                )
                .join(projects, projects.c.id == project_actors.c.project_id)
                .where(
                    project_actors.c.actor_id.in_(chunk), *([public_project()] if public else [])
                )
                .order_by(project_actors.c.project_id.desc())
            )
            for actor_id, project_id, role in connection.execute(query):
                roles[actor_id][project_id].append(role)
        return [
            ActorRow(
                row.id,
                row.name,
                row.type,
                row.siren,
                row.website,
                row.seat,
                bool(row.vetted),
                list(roles[row.id]),
                dict(roles[row.id]),
            )
            for row in found
        ]

    def list(self, *, public: bool = True) -> list[ActorRow]:
        """Every actor (the public ones by default), by name."""
        return run_with_retry(
            self._store.engine, lambda c: self._rows(c, [], public=public), write=False
        )

    def get(self, actor_id: int, *, public: bool = True) -> ActorRow:
        found = run_with_retry(
            self._store.engine,
            lambda c: self._rows(c, [actors.c.id == int(actor_id)], public=public),
            write=False,
        )
        if not found:
            msg = f"Aucun acteur public n'a l'identifiant {actor_id}."
            raise EntityNotFoundError(msg)
        return found[0]

    def of_project(self, project_id: int) -> list[tuple[str, ActorRow]]:
        """``[(role, actor)]`` of one project, carriers first, in the order of its fields."""

        def work(connection: Connection) -> list[tuple[str, ActorRow]]:
            query = sa.select(project_actors.c.actor_id, project_actors.c.role).where(
                project_actors.c.project_id == int(project_id)
            )
            pairs = connection.execute(query).all()
            rows = {
                r.id: r
                for r in self._rows(
                    connection, [actors.c.id.in_([a for a, _ in pairs])], public=False
                )
            }
            order = {"carrier": 0, "partner": 1}
            return sorted(
                ((role, rows[a]) for a, role in pairs if a in rows),
                key=lambda item: (order.get(item[0], 2), item[1].name),
            )

        return run_with_retry(self._store.engine, work, write=False)

    def duplicates(self) -> list[Duplicate]:
        """Pairs of actors that may be one organisation, most likely first (see module)."""
        every = self.list(public=False)

        def told_apart(connection: Connection) -> set[tuple[int, int]]:
            rows = connection.execute(sa.select(actor_distinct)).all()
            return {(min(a, b), max(a, b)) for a, b in rows}

        apart = run_with_retry(self._store.engine, told_apart, write=False)
        keys = [name_key(a.name) for a in every]
        pairs: list[Duplicate] = []
        for i, first in enumerate(every):
            for j in range(i + 1, len(every)):
                second = every[j]
                if (first.id, second.id) in apart or (second.id, first.id) in apart:
                    continue
                if first.siren and second.siren and first.siren != second.siren:
                    continue
                a, b = keys[i], keys[j]
                if a == b:
                    pairs.append(Duplicate(first, second, "même nom", 100))
                    continue
                score = int(fuzz.token_sort_ratio(a, b))
                if score >= SIMILAR_NAMES:
                    pairs.append(Duplicate(first, second, "noms très proches", score))
                elif min(len(a), len(b)) >= 5 and fuzz.token_set_ratio(a, b) == 100:
                    pairs.append(Duplicate(first, second, "un nom contient l'autre", score))
        return sorted(pairs, key=lambda d: (-d.score, d.first.id, d.second.id))

    # --- an operator's writes ----------------------------------------------------------------

    def save(self, data: Actor | Mapping[str, Any], *, operator: Operator) -> tuple[int, str]:
        """Record an actor (``actors add``): the one of that SIREN, else of that folded name,
        is updated (and vetted); otherwise a new one. ``(id, "created"|"updated")``."""
        who = _operator(operator)
        actor = data if isinstance(data, Actor) else parse_actor(data)

        def work(connection: Connection) -> tuple[int, str]:
            key = name_key(actor.name)
            found = None
            if actor.siren:
                found = connection.execute(
                    sa.select(actors).where(actors.c.siren == actor.siren)
                ).one_or_none()
            if found is None:
                # By name: any actor of that name without SIREN given; with one, an actor of
                # that name that has none yet (its SIREN is then recorded).
                same_siren = sa.true() if not actor.siren else actors.c.siren.is_(None)
                query = (
                    sa.select(actors)
                    .join(actor_names, actor_names.c.actor_id == actors.c.id)
                    .where(actor_names.c.name_key == key, same_siren)
                    .order_by(actors.c.id)
                    .limit(1)
                )
                found = connection.execute(query).one_or_none()
            now = now_utc()
            values = {
                "name": actor.name,
                "type": actor.type,
                "website": actor.website,
                "seat": actor.seat,
                "name_key": key[:200],
                "vetted": True,
                "updated_at": now,
            }
            if actor.siren:
                values["siren"] = actor.siren
            if found is None:
                (actor_id,) = links.insert_ids(
                    connection, actors, [values | {"siren": actor.siren, "created_at": now}]
                )
                action, before = "created", None
            else:
                actor_id, action, before = found.id, "updated", _row_dict(found)
                connection.execute(actors.update().where(actors.c.id == actor_id).values(values))
            known = (
                connection.execute(
                    sa.select(actor_names.c.name_key).where(actor_names.c.actor_id == actor_id)
                )
                .scalars()
                .all()
            )
            if key not in known:
                connection.execute(actor_names.insert().values(actor_id=actor_id, name_key=key))
            after = _row_dict(
                connection.execute(sa.select(actors).where(actors.c.id == actor_id)).one()
            )
            if before != after:
                entity_audit(
                    connection, who, f"actor_{action[:-1]}", f"actor:{actor_id}", before, after
                )
            return actor_id, action if before != after else "unchanged"

        return run_with_retry(self._store.engine, work, write=True)

    def merge(self, keep: int, other: int, *, operator: Operator) -> ActorRow:
        """``other`` becomes ``keep``: its projects, communs maintained and names move, then it
        is deleted. Two actors with different SIRENs are two organisations: refused."""
        who = _operator(operator)
        if int(keep) == int(other):
            msg = "Un acteur ne se fusionne pas avec lui-même."
            raise GeoError(msg)

        def work(connection: Connection) -> None:
            rows = {
                r.id: r
                for r in connection.execute(
                    sa.select(actors).where(actors.c.id.in_([keep, other]))
                ).all()
            }
            for ident in (keep, other):
                if ident not in rows:
                    msg = f"Aucun acteur n'a l'identifiant {ident}."
                    raise EntityNotFoundError(msg)
            kept, gone = rows[keep], rows[other]
            if kept.siren and gone.siren and kept.siren != gone.siren:
                msg = (
                    f"Les acteurs {keep} et {other} ont deux SIREN différents ({kept.siren}, "
                    f"{gone.siren}) : ce sont deux organisations, ils ne sont pas fusionnés."
                )
                raise GeoError(msg)
            for table, column, keys in (
                (project_actors, project_actors.c.actor_id, ("project_id", "role")),
                (commun_maintainers, commun_maintainers.c.actor_id, ("commun_id",)),
                (actor_names, actor_names.c.actor_id, ("name_key",)),
            ):
                have = {
                    tuple(r)
                    for r in connection.execute(
                        sa.select(*[table.c[k] for k in keys]).where(column == keep)
                    )
                }
                moving = [
                    tuple(r)
                    for r in connection.execute(
                        sa.select(*[table.c[k] for k in keys]).where(column == other)
                    )
                ]
                connection.execute(table.delete().where(column == other))
                fresh = [
                    dict(zip(keys, r, strict=True)) | {column.name: keep}
                    for r in moving
                    if r not in have
                ]
                if fresh:
                    connection.execute(table.insert(), fresh)
            connection.execute(actors.delete().where(actors.c.id == other))
            connection.execute(
                actors.update()
                .where(actors.c.id == keep)
                .values(
                    siren=kept.siren or gone.siren,
                    website=kept.website or gone.website,
                    seat=kept.seat or gone.seat,
                    vetted=bool(kept.vetted or gone.vetted),
                    updated_at=now_utc(),
                )
            )
            entity_audit(
                connection,
                who,
                "actor_merge",
                f"actor:{keep}",
                _row_dict(gone) | {"id": other},
                _row_dict(kept) | {"id": keep},
            )

        run_with_retry(self._store.engine, work, write=True)
        return self.get(keep, public=False)

    def distinct(self, first: int, second: int, *, operator: Operator) -> None:
        """An operator says two actors are two organisations: the review list leaves them."""
        who = _operator(operator)
        low, high = sorted((int(first), int(second)))

        def work(connection: Connection) -> None:
            count = connection.execute(
                sa.select(sa.func.count()).select_from(actors).where(actors.c.id.in_([low, high]))
            ).scalar_one()
            if count != 2 or low == high:
                msg = f"Deux acteurs existants sont attendus (reçu : {first}, {second})."
                raise EntityNotFoundError(msg)
            exists = connection.execute(
                sa.select(actor_distinct).where(
                    actor_distinct.c.first_id == low, actor_distinct.c.second_id == high
                )
            ).first()
            if exists is None:
                connection.execute(actor_distinct.insert().values(first_id=low, second_id=high))
                entity_audit(
                    connection, who, "actor_distinct", f"actor:{low}", None, {"distinct_from": high}
                )

        run_with_retry(self._store.engine, work, write=True)

    def rematch(self, *, operator: Operator) -> dict[str, int]:
        """Match every project's carriers and partners into actors again (after an upgrade,
        or after merges): ``{"projects", "actors_before", "actors_after", "links"}``."""
        who = _operator(operator)
        fields = ("carriers", "partners", "commons", "commons_produced")

        def work(connection: Connection) -> dict[str, int]:
            before = connection.execute(sa.select(sa.func.count()).select_from(actors)).scalar_one()
            rows = connection.execute(
                sa.select(projects.c.id, *[projects.c[f] for f in fields]).order_by(projects.c.id)
            ).all()
            items = [(r.id, {f: getattr(r, f) or [] for f in fields}) for r in rows]
            for start in range(0, len(items), 500):
                links.sync_projects(connection, items[start : start + 500])
            after = connection.execute(sa.select(sa.func.count()).select_from(actors)).scalar_one()
            count = connection.execute(
                sa.select(sa.func.count()).select_from(project_actors)
            ).scalar_one()
            report = {
                "projects": len(items),
                "actors_before": int(before),
                "actors_after": int(after),
                "links": int(count),
            }
            entity_audit(connection, who, "actors_match", "actor:*", None, report)
            return report

        return run_with_retry(self._store.engine, work, write=True)
