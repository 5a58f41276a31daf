"""Communs in the store: lists with the projects reusing or producing each, pages, and an
operator's records (``communs add``, the wiki import, the demo). Reached as ``store.communs``.

A project links to a commun by URL (:mod:`geo.store.links`): the commun's address or its wiki
page, compared by :func:`~geo.projects.entities.url_key`. Only an
:class:`~geo.store.identity.Operator` creates or changes a commun, so every commun is public;
the projects it lists are the published ones (every status with ``public=False``).
:meth:`Communs.save_many` writes a whole import in one transaction: all or nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.errors import EntityNotFoundError
from geo.projects.entities import Commun, parse_commun, url_key
from geo.store import links
from geo.store.actors import _operator, entity_audit, public_project
from geo.store.db import (
    actors,
    commun_maintainers,
    communs,
    project_commons,
    projects,
    run_with_retry,
)
from geo.store.identity import Operator
from geo.store.rows import now_utc

if TYPE_CHECKING:
    from geo.store.project_store import ProjectStore

_FIELDS = (
    "title",
    "kind",
    "url",
    "licence",
    "summary",
    "description",
    "themes",
    "tags",
    "lat",
    "lon",
    "source",
    "external_id",
)


@dataclass(frozen=True)
class CommunRow:
    id: int
    title: str
    kind: str
    url: str | None
    licence: str | None
    summary: str
    description: str
    themes: list[str]
    tags: list[str]
    lat: float | None
    lon: float | None
    source: str
    external_id: str | None
    maintainers: list[tuple[int, str]] = field(default_factory=list)
    reused_by: list[int] = field(default_factory=list)
    produced_by: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The shape of ``communs list --json``."""
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "url": self.url,
            "licence": self.licence,
            "reused_by": list(self.reused_by),
            "produced_by": list(self.produced_by),
        }

    @property
    def page(self) -> str | None:
        """Its wiki page, when it was imported from one."""
        ext = self.external_id or ""
        return ext if ext.startswith(("http://", "https://")) else None


@dataclass(frozen=True)
class SaveReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: list[int] = field(default_factory=list)


def _keys(commun: Commun) -> tuple[str | None, str | None]:
    page = commun.external_id if (commun.external_id or "").startswith("http") else None
    return (url_key(commun.url) or None, url_key(page) or None)


def _record(commun: Commun) -> dict[str, Any]:
    record = commun.model_dump(mode="json", include=set(_FIELDS))
    record["url_key"], record["page_key"] = _keys(commun)
    return record


class Communs:
    def __init__(self, store: ProjectStore) -> None:
        self._store = store

    # --- reads -----------------------------------------------------------------------------

    def _rows(self, connection: Connection, where: list[Any], *, public: bool) -> list[CommunRow]:
        found = connection.execute(
            sa.select(communs).where(*where).order_by(communs.c.title, communs.c.id)
        ).all()
        ids = [r.id for r in found]
        if not ids:
            return []
        linked: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        on_key = sa.or_(
            project_commons.c.url_key == communs.c.url_key,
            project_commons.c.url_key == communs.c.page_key,
        )
        for chunk in links._chunks(ids):
            query = (
                sa.select(communs.c.id, project_commons.c.relation, project_commons.c.project_id)
                .select_from(
                    communs.join(project_commons, on_key).join(
                        projects, projects.c.id == project_commons.c.project_id
                    )
                )
                .where(communs.c.id.in_(chunk), *([public_project()] if public else []))
                .order_by(project_commons.c.project_id.desc())
            )
            for commun_id, relation, project_id in connection.execute(query):
                if project_id not in linked[commun_id][relation]:
                    linked[commun_id][relation].append(project_id)
        maintainers: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for chunk in links._chunks(ids):
            query = (
                sa.select(commun_maintainers.c.commun_id, actors.c.id, actors.c.name)
                .join(actors, actors.c.id == commun_maintainers.c.actor_id)
                .where(commun_maintainers.c.commun_id.in_(chunk))
                .order_by(actors.c.name_key)
            )
            for commun_id, actor_id, name in connection.execute(query):
                maintainers[commun_id].append((actor_id, name))
        return [
            CommunRow(
                r.id,
                r.title,
                r.kind,
                r.url,
                r.licence,
                r.summary,
                r.description,
                list(r.themes or []),
                list(r.tags or []),
                r.lat,
                r.lon,
                r.source,
                r.external_id,
                maintainers[r.id],
                linked[r.id]["reuses"],
                linked[r.id]["produces"],
            )
            for r in found
        ]

    def list(self, *, public: bool = True) -> list[CommunRow]:
        """Every commun by title, with its (published, unless ``public=False``) projects."""
        return run_with_retry(
            self._store.engine, lambda c: self._rows(c, [], public=public), write=False
        )

    def get(self, commun_id: int, *, public: bool = True) -> CommunRow:
        found = run_with_retry(
            self._store.engine,
            lambda c: self._rows(c, [communs.c.id == int(commun_id)], public=public),
            write=False,
        )
        if not found:
            msg = f"Aucun commun n'a l'identifiant {commun_id}."
            raise EntityNotFoundError(msg)
        return found[0]

    def of_projects(self, project_ids: Iterable[int]) -> dict[int, list[tuple[str, CommunRow]]]:
        """``{project id: [(relation, commun)]}``: the known communs each project reuses
        (``reuses``) or produced (``produces``)."""
        wanted = sorted({int(p) for p in project_ids})

        def work(connection: Connection) -> dict[int, list[tuple[str, CommunRow]]]:
            on_key = sa.or_(
                project_commons.c.url_key == communs.c.url_key,
                project_commons.c.url_key == communs.c.page_key,
            )
            pairs: list[tuple[int, str, int]] = []
            for chunk in links._chunks(wanted):
                query = (
                    sa.select(
                        project_commons.c.project_id, project_commons.c.relation, communs.c.id
                    )
                    .select_from(project_commons.join(communs, on_key))
                    .where(project_commons.c.project_id.in_(chunk))
                )
                pairs += [tuple(r) for r in connection.execute(query)]
            rows = {
                r.id: r
                for r in self._rows(
                    connection, [communs.c.id.in_({c for _, _, c in pairs})], public=True
                )
            }
            out: dict[int, list[tuple[str, CommunRow]]] = defaultdict(list)
            for pid, relation, cid in sorted(set(pairs)):
                if cid in rows and (relation, rows[cid]) not in out[pid]:
                    out[pid].append((relation, rows[cid]))
            return dict(out)

        return run_with_retry(self._store.engine, work, write=False) if wanted else {}

    def maintained_by(self, actor_id: int) -> list[CommunRow]:
        def work(connection: Connection) -> list[CommunRow]:
            ids = sa.select(commun_maintainers.c.commun_id).where(
                commun_maintainers.c.actor_id == int(actor_id)
            )
            return self._rows(connection, [communs.c.id.in_(ids)], public=True)

        return run_with_retry(self._store.engine, work, write=False)

    # --- an operator's writes ----------------------------------------------------------------

    def save_many(
        self, items: Sequence[Commun | Mapping[str, Any]], *, operator: Operator
    ) -> SaveReport:
        """Create or update communs in one transaction (all or nothing). A commun is the one
        stored with the same ``source`` + ``external_id``, else the same address, else the
        same ``source`` + title; its maintainers are matched into actors (vetted)."""
        who = _operator(operator)
        parsed = [item if isinstance(item, Commun) else parse_commun(item) for item in items]

        def work(connection: Connection) -> SaveReport:
            created = updated = unchanged = 0
            ids: list[int] = []
            now = now_utc()
            for commun in parsed:
                record = _record(commun)
                found = self._find(connection, commun, record)
                maintainers = links.resolve_actors(
                    connection, [m.model_dump() for m in commun.maintainers], vetted=True, now=now
                )
                wanted = sorted({m for m in maintainers if m is not None})
                if found is None:
                    (cid,) = links.insert_ids(
                        connection, communs, [record | {"created_at": now, "updated_at": now}]
                    )
                    entity_audit(connection, who, "commun_create", f"commun:{cid}", None, record)
                    created += 1
                else:
                    cid = found.id
                    before = {k: getattr(found, k) for k in record}
                    had = sorted(
                        connection.execute(
                            sa.select(commun_maintainers.c.actor_id).where(
                                commun_maintainers.c.commun_id == cid
                            )
                        ).scalars()
                    )
                    if before == record and had == wanted:
                        unchanged += 1
                        ids.append(cid)
                        continue
                    connection.execute(
                        communs.update()
                        .where(communs.c.id == cid)
                        .values(record | {"updated_at": now})
                    )
                    changed = [k for k in record if before[k] != record[k]]
                    entity_audit(
                        connection,
                        who,
                        "commun_update",
                        f"commun:{cid}",
                        {k: before[k] for k in changed},
                        {k: record[k] for k in changed},
                    )
                    updated += 1
                connection.execute(
                    commun_maintainers.delete().where(commun_maintainers.c.commun_id == cid)
                )
                if wanted:
                    connection.execute(
                        commun_maintainers.insert(),
                        [{"commun_id": cid, "actor_id": a} for a in wanted],
                    )
                ids.append(cid)
            return SaveReport(created, updated, unchanged, ids)

        return run_with_retry(self._store.engine, work, write=True)

    def _find(self, connection: Connection, commun: Commun, record: dict[str, Any]) -> Any:
        if commun.external_id:
            where = [communs.c.source == commun.source, communs.c.external_id == commun.external_id]
        elif record["url_key"]:
            where = [communs.c.url_key == record["url_key"]]
        else:
            where = [communs.c.source == commun.source, communs.c.title == commun.title]
        return connection.execute(
            sa.select(communs).where(*where).order_by(communs.c.id).limit(1)
        ).one_or_none()
