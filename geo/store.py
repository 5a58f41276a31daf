"""The project store: persistence, edit tokens, moderation, audit log and queries.

``ProjectStore()`` opens ``DATABASE_URL`` or the SQLite file ``GEO_DATA_DIR/projets.sqlite``,
migrating the schema at start (see :mod:`geo.store_db` for WAL, locking and retries). Every
write is one transaction that also appends to ``audit_log`` (who, when, action, project id,
before/after JSON). Territory codes are recomputed by the territory engine at every write that
sets a location; whatever the input says about them is ignored.

Public API::

    store = ProjectStore(url=None, *, settings=None, locate=None, migrate=True)
    store.add(data, *, actor, status="propose") -> (id, token)
    store.add_many(rows, *, actor, status="propose") -> list[RowResult]   # one transaction,
        # per-row result; rows with (source, external_id) already stored are updated (upsert)
    store.get(id) -> Project                     # ProjectNotFoundError
    store.update(id, changes, *, token=None, moderator=None) -> Project   # EditDeniedError
    store.set_status(id, status, *, moderator) -> Project
    store.confirm(id, *, token=None, moderator=None) -> Project   # last_confirmed_at = now
    store.new_token(id, *, moderator) -> str     # the old token stops working
    store.verify_token(id, token) -> bool        # constant-time comparison of sha256 hashes
    store.query(ProjectFilter(...), limit=50, offset=0, order="recent") -> QueryResult
    store.count(ProjectFilter(...)) -> int
    store.all_frame(ProjectFilter(...), private=False) -> GeoDataFrame (EPSG:4326)
    store.audit(project_id=None) -> list[AuditEntry]

A token is ``secrets.token_urlsafe(32)``, returned once; only its sha256 is stored. Public
contributions start as ``propose``; only a moderator changes the status. ``locate`` is a
:class:`~geo.territories.Territories` or any ``locate(lat, lon) -> DataFrame`` returning the
four territory columns; by default the reference is loaded on first write.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.errors import EditDeniedError, ProjectNotFoundError, ProjectValidationError
from geo.projects import (
    FIELD_LABELS,
    PRIVATE_FIELDS,
    SERVER_FIELDS,
    STATUSES,
    Project,
    normalize_search,
    parse_project,
    private_dict,
)
from geo.settings import Settings
from geo.store_db import (
    audit_log,
    database_url,
    make_engine,
    migrate,
    project_categories,
    project_themes,
    projects,
    run_with_retry,
)
from geo.store_query import (
    PROJECT_COLUMNS,
    ProjectFilter,
    QueryResult,
    haversine_km,
    near_box,
    select_rows,
    to_project,
    where_clauses,
    within,
)
from geo.territories import TERRITORY_COLUMNS

Locator = Callable[[Sequence[float], Sequence[float]], pd.DataFrame]


@dataclass(frozen=True)
class RowResult:
    """Outcome of one input row of :meth:`ProjectStore.add_many` (``index`` counts from 0)."""

    index: int
    action: Literal["created", "updated", "unchanged", "rejected"]
    id: int | None = None
    token: str | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    project_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


#: Fields a token holder or an import may change (status and dates have their own methods).
_EDITABLE = frozenset(Project.model_fields) - set(SERVER_FIELDS) - {"status", "last_confirmed_at"}


class ProjectStore:
    def __init__(
        self,
        url: str | None = None,
        *,
        settings: Settings | None = None,
        locate: Locator | Any | None = None,
        migrate_schema: bool = True,
    ) -> None:
        self.url = url or database_url(settings)
        self.engine = make_engine(self.url)
        self._settings = settings
        self._locate = getattr(locate, "locate", locate)
        if migrate_schema:
            migrate(self.engine)
        self._text_index = sa.inspect(self.engine).has_table("projects_fts")

    def close(self) -> None:
        self.engine.dispose()

    # --- writes --------------------------------------------------------------------------------

    def add(
        self, project: Project | Mapping[str, Any], *, actor: str, status: str = "propose"
    ) -> tuple[int, str]:
        """Store a new project (or update the one with the same source + external id)."""
        (result,) = self.add_many([project], actor=actor, status=status)
        if result.action == "rejected":
            raise ProjectValidationError(result.errors, FIELD_LABELS)
        assert result.id is not None and result.token is not None
        return result.id, result.token

    def add_many(
        self,
        rows: Iterable[Project | Mapping[str, Any]],
        *,
        actor: str,
        status: str = "propose",
    ) -> list[RowResult]:
        """Validate every row, then write the valid ones in one transaction (all or nothing
        for the database; invalid rows are reported, never written). An updated row keeps its
        status and token (``token`` is None in its result)."""
        status = _check_status(status)
        results: list[RowResult | None] = []
        valid: list[tuple[int, Project]] = []
        for index, row in enumerate(rows):
            try:
                project = parse_project(_input_of(row))
            except ProjectValidationError as error:
                results.append(RowResult(index, "rejected", errors=error.errors))
                continue
            results.append(None)
            valid.append((index, project))
        located = self._codes([p for _, p in valid])

        def work(connection: Connection) -> list[RowResult]:
            done: list[RowResult] = []
            now = _now()
            existing = _existing_keys(connection, [p for _, p in valid])
            pending: set[tuple[str, str]] = set()
            inserts: list[tuple[int, dict[str, Any], str]] = []
            for (index, project), codes in zip(valid, located, strict=True):
                key = (project.source, project.external_id or "")
                if project.external_id is not None and key in existing:
                    pid = existing[key]
                    _, changed = self._rewrite(
                        connection, pid, project, codes, actor=actor, now=now
                    )
                    done.append(RowResult(index, "updated" if changed else "unchanged", id=pid))
                elif project.external_id is not None and key in pending:
                    done.append(RowResult(index, "rejected", errors=_duplicate_error()))
                else:
                    if project.external_id is not None:
                        pending.add(key)
                    token = secrets.token_urlsafe(32)
                    record = _record(project, codes) | {
                        "status": status,
                        "created_at": now,
                        "updated_at": now,
                        "last_confirmed_at": project.last_confirmed_at or now,
                        "token_hash": hash_token(token),
                    }
                    inserts.append((index, record, token))
            done.extend(_insert(connection, inserts, actor=actor, now=now))
            return done

        for result in run_with_retry(self.engine, work, write=True):
            results[result.index] = result
        return [r for r in results if r is not None]

    def update(
        self,
        project_id: int,
        changes: Mapping[str, Any],
        *,
        token: str | None = None,
        moderator: str | None = None,
    ) -> Project:
        """Apply field changes; every problem is reported at once, nothing is half-written."""
        actor = self._authorise(project_id, token=token, moderator=moderator)
        changes = {k: v for k, v in changes.items() if k not in SERVER_FIELDS}

        def merge(current: Project) -> Project:
            if "status" in changes and changes["status"] != current.status:
                msg = {"status": ["Le statut ne change que par la modération."]}
                raise ProjectValidationError(msg, FIELD_LABELS)
            merged = {k: v for k, v in private_dict(current).items() if k not in SERVER_FIELDS}
            return parse_project(merged | dict(changes))

        # Validate and locate before taking the write lock (locating may load the reference).
        draft = merge(self.get(project_id))
        located = {(draft.lat, draft.lon): self._codes([draft])[0]}

        def work(connection: Connection) -> Project:
            current = _load(connection, project_id, lock=True)
            project = merge(current)  # on the latest version: concurrent edits are kept
            place = (project.lat, project.lon)
            if place == (current.lat, current.lon):
                codes = _codes_of(current)
            else:
                codes = located.get(place) or self._codes([project])[0]
            return self._rewrite(
                connection, project_id, project, codes, actor=actor, now=_now(), keep=current
            )[0]

        return run_with_retry(self.engine, work, write=True)

    def set_status(self, project_id: int, status: str, *, moderator: str) -> Project:
        actor = self._authorise(project_id, moderator=moderator)
        status = _check_status(status)
        return self._change(project_id, {"status": status}, actor=actor, action="status")

    def confirm(
        self, project_id: int, *, token: str | None = None, moderator: str | None = None
    ) -> Project:
        """The carrier (or a moderator) says the project is still current."""
        actor = self._authorise(project_id, token=token, moderator=moderator)
        return self._change(
            project_id, {"last_confirmed_at": _now()}, actor=actor, action="confirm"
        )

    def new_token(self, project_id: int, *, moderator: str) -> str:
        """A fresh edit token (lost link); the previous one stops working."""
        actor = self._authorise(project_id, moderator=moderator)
        token = secrets.token_urlsafe(32)

        def work(connection: Connection) -> None:
            _load(connection, project_id, lock=True)
            connection.execute(
                projects.update()
                .where(projects.c.id == project_id)
                .values(token_hash=hash_token(token))
            )
            _audit(connection, actor, "token", project_id, None, None, _now())

        run_with_retry(self.engine, work, write=True)
        return token

    def verify_token(self, project_id: int, token: str | None) -> bool:
        if not token or not isinstance(token, str):
            return False
        query = sa.select(projects.c.token_hash).where(projects.c.id == project_id)
        stored = run_with_retry(
            self.engine, lambda c: c.execute(query).scalar_one_or_none(), write=False
        )
        # Compare hashes of equal length even when the project does not exist.
        return hmac.compare_digest(stored or "0" * 64, hash_token(token)) and stored is not None

    # --- reads ---------------------------------------------------------------------------------

    def get(self, project_id: int) -> Project:
        return run_with_retry(self.engine, lambda c: _load(c, project_id), write=False)

    def query(
        self,
        criteria: ProjectFilter | None = None,
        *,
        limit: int = 50,
        offset: int = 0,
        order: Literal["recent", "title", "distance"] = "recent",
    ) -> QueryResult:
        """One page of matching projects and the total number of matches."""
        criteria = criteria or ProjectFilter()
        limit, offset = max(0, int(limit)), max(0, int(offset))
        where = where_clauses(criteria, text_index=self._text_index)

        def work(connection: Connection) -> QueryResult:
            if criteria.near is not None:
                distances = within(connection, where, criteria.near)
                ranked = sorted(distances.items(), key=lambda item: (item[1], -item[0]))
                if order != "distance":
                    ranked = sorted(distances.items(), key=lambda item: -item[0])
                page_ids = [pid for pid, _ in ranked[offset : offset + limit]]
                rows = select_rows(connection, [projects.c.id.in_(page_ids)]) if page_ids else []
                by_id = {row["id"]: row for row in rows}
                items = [to_project(by_id[pid]) for pid in page_ids]
                shown = {pid: round(distances[pid], 3) for pid in page_ids}
                return QueryResult(items, len(distances), limit, offset, shown)
            total = connection.execute(
                sa.select(sa.func.count()).select_from(projects).where(*where)
            ).scalar_one()
            ordering = [projects.c.title, projects.c.id] if order == "title" else [
                projects.c.id.desc()
            ]  # fmt: skip
            rows = select_rows(connection, where, order_by=ordering, limit=limit, offset=offset)
            return QueryResult([to_project(r) for r in rows], total, limit, offset)

        return run_with_retry(self.engine, work, write=False)

    def count(self, criteria: ProjectFilter | None = None) -> int:
        return self.query(criteria, limit=0).total

    def all_frame(
        self, criteria: ProjectFilter | None = None, *, private: bool = False
    ) -> gpd.GeoDataFrame:
        """Every matching project as a GeoDataFrame of points (EPSG:4326), newest first;
        list fields stay lists, ``area`` is GeoJSON text; no private field unless asked."""
        criteria = criteria or ProjectFilter()
        where = where_clauses(criteria, text_index=self._text_index)

        def work(connection: Connection) -> list[dict[str, Any]]:
            if criteria.near is None:
                return select_rows(connection, where, order_by=[projects.c.id.desc()])
            lat, lon, radius = criteria.near
            rows = select_rows(connection, [*where, near_box(lat, lon, radius)])
            rows.sort(key=lambda row: -row["id"])
            lats = np.array([r["lat"] for r in rows], dtype=float)
            lons = np.array([r["lon"] for r in rows], dtype=float)
            inside = haversine_km(lat, lon, lats, lons) <= radius
            return [row for row, keep in zip(rows, inside, strict=True) if keep]

        rows = run_with_retry(self.engine, work, write=False)
        columns = [c for c in PROJECT_COLUMNS if private or c not in PRIVATE_FIELDS]
        frame = pd.DataFrame(rows, columns=PROJECT_COLUMNS)[columns]
        for name in ("created_at", "updated_at", "last_confirmed_at"):
            frame[name] = pd.to_datetime(frame[name], utc=True)
        geometry = gpd.points_from_xy(frame["lon"], frame["lat"], crs=4326)
        return gpd.GeoDataFrame(frame, geometry=geometry, crs=4326)

    def audit(self, project_id: int | None = None) -> list[AuditEntry]:
        query = sa.select(audit_log).order_by(audit_log.c.id)
        if project_id is not None:
            query = query.where(audit_log.c.project_id == project_id)
        rows = run_with_retry(self.engine, lambda c: c.execute(query).all(), write=False)
        return [
            AuditEntry(
                r.id,
                r.at.replace(tzinfo=r.at.tzinfo or UTC),
                r.actor,
                r.action,
                r.project_id,
                r.before,
                r.after,
            )  # fmt: skip
            for r in rows
        ]

    # --- internals -----------------------------------------------------------------------------

    def _authorise(
        self, project_id: int, *, token: str | None = None, moderator: str | None = None
    ) -> str:
        if moderator is not None and str(moderator).strip():
            return f"moderation:{str(moderator).strip()}"
        if token is not None and self.verify_token(project_id, token):
            return "lien d'édition"
        if token is None:
            msg = "Cette action est réservée à la modération."
        else:
            msg = "Ce lien d'édition n'est pas valable pour ce projet."
        raise EditDeniedError(msg)

    def _codes(self, items: list[Project]) -> list[dict[str, str | None]]:
        if not items:
            return []
        if self._locate is None:
            from geo.territories import load_territories

            self._locate = load_territories(self._settings).locate
        frame = self._locate(np.array([p.lat for p in items]), np.array([p.lon for p in items]))
        columns = [[_code(v) for v in frame[name].tolist()] for name in TERRITORY_COLUMNS]
        return [
            dict(zip(TERRITORY_COLUMNS, codes, strict=True)) for codes in zip(*columns, strict=True)
        ]

    def _change(
        self, project_id: int, values: dict[str, Any], *, actor: str, action: str
    ) -> Project:
        def work(connection: Connection) -> Project:
            before = _load(connection, project_id, lock=True)
            now = _now()
            connection.execute(
                projects.update()
                .where(projects.c.id == project_id)
                .values(values | {"updated_at": now})
            )
            after = _load(connection, project_id)
            _audit(connection, actor, action, project_id, before, after, now)
            return after

        return run_with_retry(self.engine, work, write=True)

    def _rewrite(
        self,
        connection: Connection,
        project_id: int,
        project: Project,
        codes: dict[str, str | None],
        *,
        actor: str,
        now: datetime,
        keep: Project | None = None,
    ) -> tuple[Project, bool]:
        """Replace the user fields of a stored project; status, token and dates are kept.
        Nothing is written (no audit entry either) when no field changes."""
        before = keep or _load(connection, project_id, lock=True)
        record = _record(project, codes) | {"updated_at": now}
        for name in ("status", "last_confirmed_at"):
            record.pop(name, None)
        old = private_dict(before)
        if all(old.get(k) == v for k, v in private_dict(project).items() if k in _EDITABLE) and (
            codes == _codes_of(before)
        ):
            return before, False
        connection.execute(projects.update().where(projects.c.id == project_id).values(record))
        _replace_tags(connection, [(project_id, project)])
        after = _load(connection, project_id)
        _audit(connection, actor, "update", project_id, before, after, now)
        return after, True


# --- rows and SQL ------------------------------------------------------------------------------


def _input_of(row: Project | Mapping[str, Any]) -> Mapping[str, Any]:
    return private_dict(row) if isinstance(row, Project) else row


def _check_status(status: str) -> str:
    if status not in STATUSES:
        msg = {"status": [f"Statut inconnu : {status!r} (attendu : {', '.join(STATUSES)})."]}
        raise ProjectValidationError(msg, FIELD_LABELS)
    return status


def _duplicate_error() -> dict[str, list[str]]:
    return {"external_id": ["Identifiant externe en double dans le même envoi."]}


def _code(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _codes_of(project: Project) -> dict[str, str | None]:
    return {name: getattr(project, name) for name in TERRITORY_COLUMNS}


def search_text(project: Project) -> str:
    carriers = " ".join(c.name for c in project.carriers)
    return normalize_search(f"{project.title} {project.summary} {carriers}")


def _record(project: Project, codes: Mapping[str, str | None]) -> dict[str, Any]:
    data = project.model_dump(mode="python", exclude={"id", "created_at", "updated_at"})
    data["carriers"] = [c.model_dump() for c in project.carriers]
    data["area"] = None if project.area is None else json.dumps(project.area)
    data.update(codes)
    data["search_text"] = search_text(project)
    return data


def _existing_keys(connection: Connection, items: list[Project]) -> dict[tuple[str, str], int]:
    """Ids of the stored projects having the (source, external_id) of some of the items."""
    keys = {(p.source, p.external_id) for p in items if p.external_id is not None}
    found: dict[tuple[str, str], int] = {}
    for source in sorted({source for source, _ in keys}):
        wanted = sorted(e for s, e in keys if s == source)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            query = sa.select(projects.c.id, projects.c.external_id).where(
                projects.c.source == source, projects.c.external_id.in_(chunk)
            )
            found.update({(source, row.external_id): row.id for row in connection.execute(query)})
    return found


def _insert(
    connection: Connection,
    inserts: list[tuple[int, dict[str, Any], str]],
    *,
    actor: str,
    now: datetime,
) -> list[RowResult]:
    if not inserts:
        return []
    records = [record for _, record, _ in inserts]
    if connection.dialect.name == "sqlite":
        # Inside BEGIN IMMEDIATE nobody else can insert: number the rows ourselves so that one
        # executemany does the work (RETURNING in parameter order means a statement per row).
        first = connection.execute(sa.select(sa.func.max(projects.c.id))).scalar_one() or 0
        ids = list(range(first + 1, first + 1 + len(records)))
        connection.execute(
            projects.insert(), [r | {"id": i} for i, r in zip(ids, records, strict=True)]
        )
    else:
        statement = projects.insert().returning(projects.c.id, sort_by_parameter_order=True)
        ids = list(connection.execute(statement, records).scalars())
    tagged = []
    entries = []
    for pid, (_, record, _) in zip(ids, inserts, strict=True):
        tagged.append((pid, record))
        after = _jsonable(
            {k: v for k, v in record.items() if k not in ("token_hash", "search_text")}
        )
        entries.append(
            {"at": now, "actor": actor, "action": "create", "project_id": pid, "before": None,
             "after": after | {"id": pid}}
        )  # fmt: skip
    _replace_tags(connection, tagged, fresh=True)
    connection.execute(audit_log.insert(), entries)
    return [
        RowResult(index, "created", id=pid, token=token)
        for pid, (index, _, token) in zip(ids, inserts, strict=True)
    ]


def _replace_tags(
    connection: Connection,
    items: Sequence[tuple[int, Project | Mapping[str, Any]]],
    *,
    fresh: bool = False,
) -> None:
    ids = [pid for pid, _ in items]
    if not fresh:
        connection.execute(project_themes.delete().where(project_themes.c.project_id.in_(ids)))
        connection.execute(
            project_categories.delete().where(project_categories.c.project_id.in_(ids))
        )
    themes, cats = [], []
    for pid, item in items:
        values = item if isinstance(item, Mapping) else item.model_dump()
        themes += [{"project_id": pid, "theme": t} for t in values["themes"]]
        cats += [{"project_id": pid, "category": c} for c in values["categories"]]
    if themes:
        connection.execute(project_themes.insert(), themes)
    if cats:
        connection.execute(project_categories.insert(), cats)


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in values.items():
        out[key] = value.isoformat() if isinstance(value, datetime) else value
    return out


def _audit(
    connection: Connection,
    actor: str,
    action: str,
    project_id: int,
    before: Project | None,
    after: Project | None,
    now: datetime,
) -> None:
    """Only the fields that changed, before and after (a creation keeps the whole record)."""
    old = private_dict(before) if before else {}
    new = private_dict(after) if after else {}
    changed = [k for k in new if k != "updated_at" and old.get(k) != new.get(k)]
    connection.execute(
        audit_log.insert().values(
            at=now,
            actor=actor[:200],
            action=action,
            project_id=project_id,
            before={k: old.get(k) for k in changed} if before else None,
            after={k: new.get(k) for k in changed} if after else None,
        )
    )


def _load(connection: Connection, project_id: int, *, lock: bool = False) -> Project:
    columns = [projects.c[name] for name in PROJECT_COLUMNS]
    query = sa.select(*columns).where(projects.c.id == project_id)
    if lock:
        query = query.with_for_update()
    row = connection.execute(query).mappings().one_or_none()
    if row is None:
        msg = f"Aucun projet n'a l'identifiant {project_id}."
        raise ProjectNotFoundError(msg)
    return to_project(row)
