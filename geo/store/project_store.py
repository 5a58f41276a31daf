"""The project store: persistence, edit tokens, moderation, audit log and queries.

``ProjectStore()`` opens ``DATABASE_URL`` or the SQLite file ``GEO_DATA_DIR/projets.sqlite``,
migrating the schema at start (see :mod:`geo.store.db` for WAL, locking and retries). Every
write is one transaction that also appends to ``audit_log`` (who, when, action, project id,
before/after JSON). Territory codes are recomputed by the territory engine at every write that
sets a location; whatever the input says about them is ignored.

Public API::

    store = ProjectStore(url=None, *, settings=None, locate=None, migrate_schema=True)
    store.add(data, *, actor, status="propose") -> (id, token)   # never updates
    store.add_many(rows, *, actor, status="propose", match_existing=False) -> list[RowResult]
        # one transaction, per-row result; a row whose (source, external_id) is stored is
        # rejected, or updated (upsert) when an operator's import asks ``match_existing``
    store.get(id) -> Project                     # ProjectNotFoundError
    store.update(id, changes, *, token=None, operator=None) -> Project   # EditDeniedError
    store.set_status(id, status, *, operator) -> Project
    store.confirm(id, *, token=None, operator=None) -> Project   # last_confirmed_at = now
    store.new_token(id, *, operator) -> str      # the old token stops working
    store.verify_token(id, token) -> bool        # constant-time comparison of sha256 hashes
    store.query(ProjectFilter(...), limit=50, offset=0, order="recent") -> QueryResult
    store.count(ProjectFilter(...)) -> int
    store.all_frame(ProjectFilter(...), private=False) -> GeoDataFrame (EPSG:4326)
        # kept in the process while store.data_version() stays the same
    store.audit(project_id=None) -> list[AuditEntry]
    store.actors: Actors      # organisations (geo.store.actors): list, get, save, merge…
    store.communs: Communs    # shared resources (geo.store.communs): list, get, save_many…
    store.tours, store.workshops              # tours and workshop sessions (geo.store.tours,
                                              # geo.store.workshops)

A token is ``secrets.token_urlsafe(32)``, returned once; only its sha256 is stored. Public
contributions start as ``propose``. ``actor`` is a label for the audit log (``"formulaire"``)
or an :class:`~geo.store.identity.Operator`: only an operator creates a project with another
status, changes a status, matches rows on ``source`` + ``external_id`` or acts without the
edit token (until moderation accounts exist; a string is never an operator). ``locate`` is a
:class:`~geo.territory.engine.Territories` or any ``locate(lat, lon) -> DataFrame`` returning the
four territory columns; by default the reference is loaded on first write.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.errors import EditDeniedError, ProjectValidationError
from geo.projects.model import (
    FIELD_LABELS,
    PRIVATE_FIELDS,
    SERVER_FIELDS,
    Project,
    parse_project,
    private_dict,
)
from geo.settings import Settings, get_settings
from geo.store import contributions, spatial
from geo.store.actors import Actors
from geo.store.cache import VersionedFrames
from geo.store.communs import Communs
from geo.store.db import (
    audit_log,
    data_version,
    database_url,
    make_engine,
    migrate,
    projects,
    run_with_retry,
    store_error,
)
from geo.store.identity import Operator
from geo.store.moderation import Moderation
from geo.store.moderators import ModeratorAccounts
from geo.store.query import (
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
from geo.store.rows import (
    RowResult,
    check_status,
    code_value,
    codes_of,
    duplicate_error,
    existing_keys,
    hash_token,
    input_of,
    insert_projects,
    load_project,
    now_utc,
    recheck_token,
    record_of,
    replace_tags,
    taken_error,
    token_matches,
    write_audit,
)
from geo.store.tours import Tours
from geo.store.workshops import Workshops
from geo.territory import TERRITORY_COLUMNS

Locator = Callable[[Sequence[float], Sequence[float]], pd.DataFrame]


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    project_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None = None
    subject: str | None = None


#: Up to this many matches, a page and the count come from one reading of the matches;
#: above, the count is made apart and a page of the newest found by walking the ids down.
_DENSE_MATCHES = 20_000


def _count(connection: Connection, where: list[Any]) -> int:
    return connection.execute(
        sa.select(sa.func.count()).select_from(projects).where(*where)
    ).scalar_one()


def _newest_page(
    connection: Connection, where: list[Any], *, limit: int, offset: int
) -> tuple[list[dict[str, Any]] | None, int]:
    """One page of matches (newest first) and their number — or ``None`` for the page when
    there are more than :data:`_DENSE_MATCHES` matches.

    Few matches among many projects are best found by the filter's own indexes, then sorted;
    walking every id down until a page is found would cost a whole scan. The matches are
    read once (at most ``_DENSE_MATCHES + 1`` of their ids): the page's rows and the count
    come back together, in one round trip. When nothing comes back (no match, a page past
    the end, or too many matches to read), only the count is left to make."""
    few = sa.select(projects.c.id).where(*where).limit(_DENSE_MATCHES + 1).subquery()
    page = (
        sa.select(few.c.id, sa.func.count().over().label("total"))
        .order_by(few.c.id.desc()).limit(limit).offset(offset)
    ).subquery()  # fmt: skip
    columns = [projects.c[name] for name in PROJECT_COLUMNS]
    query = (
        sa.select(*columns, page.c.total.label("_matches"))
        .select_from(page.join(projects, projects.c.id == page.c.id))
        .where(page.c.total <= _DENSE_MATCHES)
        .order_by(projects.c.id.desc())
    )
    rows = [dict(row) for row in connection.execute(query).mappings().all()]
    if rows:
        total = int(rows[0]["_matches"])
        for row in rows:
            del row["_matches"]
        return rows, total
    total = _count(connection, where)
    return (None if total > _DENSE_MATCHES else []), total


PUBLISHED_EDIT = (
    "Ce projet est publié : une modification par son lien d'édition attend l'accord d'un "
    "modérateur (la version publiée reste visible d'ici là)."
)
ARCHIVED = "Ce projet a été archivé par la modération : son lien d'édition ne le modifie plus."

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
        self._settings = settings
        self._locate = getattr(locate, "locate", locate)
        self._frames = VersionedFrames()
        try:
            self.engine = make_engine(self.url)
            self.moderators = ModeratorAccounts(self.engine, settings)
            self.moderation = Moderation(self, self.moderators)
            self.actors = Actors(self)
            self.communs = Communs(self)
            self.tours = Tours(self.engine, self.moderators)
            self.workshops = Workshops(self)
            if migrate_schema:
                migrate(self.engine)
            tables = set(sa.inspect(self.engine).get_table_names())
            self._text_index = "projects_fts" in tables
            self._versioned = "store_version" in tables
            # PostGIS is required on PostgreSQL from migration 0005 on.
            self._spatial_index = self.engine.dialect.name == "postgresql" and self._versioned
        except (sa.exc.OperationalError, sa.exc.DatabaseError, OSError) as error:
            raise store_error(error) from error

    def close(self) -> None:
        self.engine.dispose()

    # --- writes --------------------------------------------------------------------------------

    def add(
        self,
        project: Project | Mapping[str, Any],
        *,
        actor: str | Operator,
        status: str = "propose",
    ) -> tuple[int, str]:
        """Store a new project; one whose source + external id is taken is refused."""
        (result,) = self.add_many([project], actor=actor, status=status)
        if result.action != "created" or result.id is None or result.token is None:
            raise ProjectValidationError(result.errors or {"projet": ["Non enregistré."]},
                                         FIELD_LABELS)  # fmt: skip
        return result.id, result.token

    def add_many(
        self,
        rows: Iterable[Project | Mapping[str, Any]],
        *,
        actor: str | Operator,
        status: str = "propose",
        match_existing: bool = False,
    ) -> list[RowResult]:
        """Validate every row, then write the valid ones in one transaction (all or nothing
        for the database; invalid rows are reported, never written). A row whose source +
        external id is stored is rejected, unless an operator's import ``match_existing``:
        then it updates that project, keeping its status and token (``token`` is None in its
        result)."""
        status = check_status(status)
        if (status != "propose" or match_existing) and not isinstance(actor, Operator):
            msg = (
                "Seul un opérateur (commande sur le serveur) publie un projet ou met à jour "
                "des projets existants par import ; une contribution reste « proposé »."
            )
            raise EditDeniedError(msg)
        label = actor.actor if isinstance(actor, Operator) else str(actor)
        results: list[RowResult | None] = []
        valid: list[tuple[int, Project]] = []
        for index, row in enumerate(rows):
            try:
                project = parse_project(input_of(row))
            except ProjectValidationError as error:
                results.append(RowResult(index, "rejected", errors=error.errors))
                continue
            results.append(None)
            valid.append((index, project))
        located = self._codes([p for _, p in valid])

        def work(connection: Connection) -> list[RowResult]:
            done: list[RowResult] = []
            now = now_utc()
            existing = existing_keys(connection, [p for _, p in valid])
            pending: set[tuple[str, str]] = set()
            inserts: list[tuple[int, dict[str, Any], str]] = []
            for (index, project), codes in zip(valid, located, strict=True):
                key = (project.source, project.external_id or "")
                if project.external_id is not None and key in existing and not match_existing:
                    done.append(RowResult(index, "rejected", errors=taken_error()))
                elif project.external_id is not None and key in existing:
                    pid = existing[key]
                    _, changed = self._rewrite(
                        connection, pid, project, codes, actor=label, now=now
                    )
                    done.append(RowResult(index, "updated" if changed else "unchanged", id=pid))
                elif project.external_id is not None and key in pending:
                    done.append(RowResult(index, "rejected", errors=duplicate_error()))
                else:
                    if project.external_id is not None:
                        pending.add(key)
                    token = secrets.token_urlsafe(32)
                    record = record_of(project, codes) | {
                        "status": status,
                        "created_at": now,
                        "updated_at": now,
                        "last_confirmed_at": project.last_confirmed_at or now,
                        "token_hash": hash_token(token),
                    }
                    inserts.append((index, record, token))
            done.extend(insert_projects(connection, inserts, actor=label, now=now))
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
        operator: Operator | None = None,
    ) -> Project:
        """Apply field changes; every problem is reported at once, nothing is half-written."""
        actor = self._authorise(project_id, token=token, operator=operator)
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

        trusted = isinstance(operator, Operator)

        def work(connection: Connection) -> Project:
            current = load_project(connection, project_id, lock=True)
            recheck_token(connection, project_id, token, trusted=trusted)
            if not trusted and current.status in ("publie", "archive"):
                raise EditDeniedError(PUBLISHED_EDIT if current.status == "publie" else ARCHIVED)
            project = merge(current)  # on the latest version: concurrent edits are kept
            place = (project.lat, project.lon)
            if place == (current.lat, current.lon):
                codes = codes_of(current)
            else:
                codes = located.get(place) or self._codes([project])[0]
            now = now_utc()
            after, _ = self._rewrite(
                connection, project_id, project, codes, actor=actor, now=now, keep=current
            )
            if not trusted and current.status == "refuse":
                # Corrected after a refusal: back to the moderators' inbox.
                connection.execute(projects.update().where(projects.c.id == project_id)
                                   .values(status="propose", updated_at=now))  # fmt: skip
                resubmitted = load_project(connection, project_id)
                write_audit(connection, actor, "resubmit", project_id, after, resubmitted, now)
                after = resubmitted
            return after

        return run_with_retry(self.engine, work, write=True)

    def set_status(self, project_id: int, status: str, *, operator: Operator) -> Project:
        """An operator's decision (``python -m geo projects status``), named in the audit log."""
        actor = self._authorise(project_id, operator=operator)
        status = check_status(status)
        return self._change(
            project_id, {"status": status}, actor=actor, action="status", trusted=True
        )

    def confirm(
        self, project_id: int, *, token: str | None = None, operator: Operator | None = None
    ) -> Project:
        """The carrier (or an operator) says the project is still current."""
        actor = self._authorise(project_id, token=token, operator=operator)
        return self._change(
            project_id,
            {"last_confirmed_at": now_utc()},
            actor=actor,
            action="confirm",
            token=token,
            trusted=isinstance(operator, Operator),
        )

    def new_token(self, project_id: int, *, operator: Operator) -> str:
        """A fresh edit token (lost link); the previous one stops working."""
        actor = self._authorise(project_id, operator=operator)
        token = secrets.token_urlsafe(32)

        def work(connection: Connection) -> None:
            load_project(connection, project_id, lock=True)
            connection.execute(
                projects.update()
                .where(projects.c.id == project_id)
                .values(token_hash=hash_token(token))
            )
            write_audit(connection, actor, "token", project_id, None, None, now_utc())

        run_with_retry(self.engine, work, write=True)
        return token

    def verify_token(self, project_id: int, token: str | None) -> bool:
        if not token or not isinstance(token, str):
            return False
        return run_with_retry(
            self.engine, lambda c: token_matches(c, project_id, token), write=False
        )

    # --- the public's contributions (geo.store.contributions) --------------------------------

    def submit_change(
        self, project_id: int, changes: Mapping[str, Any], *, token: str
    ) -> contributions.ChangeOutcome:
        """A change through the edit link: at once for a proposal, pending for a published
        project (the published version stays until a moderator approves)."""
        return contributions.submit_change(self, project_id, changes, token=token)

    def pending_change(self, project_id: int, *, token: str) -> Project | None:
        return contributions.pending_change(self, project_id, token=token)

    def report(
        self, project_id: int, reason: str, *, reporter: str, threshold: int | None = None
    ) -> contributions.ReportOutcome:
        """A visitor reports a published project; ``threshold`` reports hide it."""
        limit = threshold or (self._settings or get_settings()).reports_to_hide
        return contributions.report(self, project_id, reason, reporter=reporter, threshold=limit)

    def duplicates(
        self,
        *,
        title: str,
        lat: float | None,
        lon: float | None,
        website: str | None = None,
        statuses: tuple[str, ...] = ("publie",),
        exclude: int | None = None,
    ) -> list[Project]:
        """Projects with a similar title within 5 km, or the same website."""
        return contributions.duplicates(self, title=title, lat=lat, lon=lon, website=website,
                                        statuses=statuses, exclude=exclude)  # fmt: skip

    def recent_count(self, *, action: str, actor: str, hours: float = 1.0) -> int:
        return contributions.recent_count(self, action=action, actor=actor, hours=hours)

    # --- reads ---------------------------------------------------------------------------------

    def get(self, project_id: int) -> Project:
        return run_with_retry(self.engine, lambda c: load_project(c, project_id), write=False)

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
        where = self._where(criteria)
        # What reads every match checks a text search's tags on its rows (see where_clauses).
        tagged_text = criteria.text and (criteria.themes or criteria.categories)
        every = self._where(criteria, reading_all=True) if tagged_text else where

        def work(connection: Connection) -> QueryResult:
            if criteria.near is not None:
                distances = within(
                    connection, where, criteria.near, spatial_index=self._spatial_index
                )
                ranked = sorted(distances.items(), key=lambda item: (item[1], -item[0]))
                if order != "distance":
                    ranked = sorted(distances.items(), key=lambda item: -item[0])
                page_ids = [pid for pid, _ in ranked[offset : offset + limit]]
                rows = select_rows(connection, [projects.c.id.in_(page_ids)]) if page_ids else []
                by_id = {row["id"]: row for row in rows}
                items = [to_project(by_id[pid]) for pid in page_ids]
                shown = {pid: round(distances[pid], 3) for pid in page_ids}
                return QueryResult(items, len(distances), limit, offset, shown)
            if order == "title" or limit == 0:
                total = _count(connection, every)
                if total == 0 or limit == 0 or offset >= total:
                    return QueryResult([], total, limit, offset)
                ordering = [projects.c.title, projects.c.id]
                rows = select_rows(connection, where, order_by=ordering, limit=limit, offset=offset)
                return QueryResult([to_project(r) for r in rows], total, limit, offset)
            rows, total = _newest_page(connection, every, limit=limit, offset=offset)
            if rows is None:  # many matches, counted: a page found walking the ids down
                newest = [projects.c.id.desc()]
                rows = select_rows(connection, where, order_by=newest, limit=limit, offset=offset)
            return QueryResult([to_project(r) for r in rows], total, limit, offset)

        return run_with_retry(self.engine, work, write=False)

    def count(self, criteria: ProjectFilter | None = None) -> int:
        return self.query(criteria, limit=0).total

    def all_frame(
        self, criteria: ProjectFilter | None = None, *, private: bool = False
    ) -> gpd.GeoDataFrame:
        """Every matching project as a GeoDataFrame of points (EPSG:4326), newest first;
        list fields stay lists, ``area`` is GeoJSON text; no private field unless asked.

        Kept in this process while the database's data version stays the same (whichever
        process writes, the next call reads again: :mod:`geo.store.cache`)."""
        criteria = criteria or ProjectFilter()
        where = self._where(criteria)
        key = (criteria, private)

        def work(connection: Connection) -> tuple[int | None, Any]:
            version = data_version(connection) if self._versioned else None
            if version is not None and (kept := self._frames.get(key, version)) is not None:
                return version, kept
            if criteria.near is None:
                return version, select_rows(connection, where, order_by=[projects.c.id.desc()])
            lat, lon, radius = criteria.near
            if self._spatial_index:
                near = spatial.near(lat, lon, radius)
                rows = select_rows(connection, [*where, near], order_by=[projects.c.id.desc()])
                return version, rows
            rows = select_rows(connection, [*where, near_box(lat, lon, radius)])
            rows.sort(key=lambda row: -row["id"])
            lats = np.array([r["lat"] for r in rows], dtype=float)
            lons = np.array([r["lon"] for r in rows], dtype=float)
            inside = haversine_km(lat, lon, lats, lons) <= radius
            return version, [row for row, keep in zip(rows, inside, strict=True) if keep]

        version, rows = run_with_retry(self.engine, work, write=False)
        if isinstance(rows, gpd.GeoDataFrame):
            return rows
        columns = [c for c in PROJECT_COLUMNS if private or c not in PRIVATE_FIELDS]
        frame = _missing_text_as_none(pd.DataFrame(rows, columns=PROJECT_COLUMNS)[columns])
        for name in ("created_at", "updated_at", "last_confirmed_at"):
            frame[name] = pd.to_datetime(frame[name], utc=True)
        geometry = gpd.points_from_xy(frame["lon"], frame["lat"], crs=4326)
        result = gpd.GeoDataFrame(frame, geometry=geometry, crs=4326)
        if version is not None:
            self._frames.put(key, version, result)
        return result

    def data_version(self) -> int:
        """The database's data version: it increases with every change of a project (by any
        process); what was read at one version stays true while it is the same."""
        return run_with_retry(self.engine, data_version, write=False)

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
                r.note,
                r.subject,
            )  # fmt: skip
            for r in rows
        ]

    # --- internals -----------------------------------------------------------------------------

    def _where(self, criteria: ProjectFilter, *, reading_all: bool = False) -> list[Any]:
        return where_clauses(
            criteria,
            text_index=self._text_index,
            spatial_index=self._spatial_index,
            reading_all=reading_all,
        )

    def _authorise(
        self, project_id: int, *, token: str | None = None, operator: Operator | None = None
    ) -> str:
        if isinstance(operator, Operator):
            return operator.actor
        if token is not None and self.verify_token(project_id, token):
            return "lien d'édition"
        if token is None or operator is not None:
            msg = "Cette action est réservée à un opérateur (commande sur le serveur)."
        else:
            msg = "Ce lien d'édition n'est pas valable pour ce projet."
        raise EditDeniedError(msg)

    def locate_codes(self, items: list[Project]) -> list[dict[str, str | None]]:
        """The four territory codes of each project's point, as a write would store them."""
        return self._codes(items)

    def _codes(self, items: list[Project]) -> list[dict[str, str | None]]:
        if not items:
            return []
        if self._locate is None:
            from geo.territory import load_territories

            self._locate = load_territories(self._settings).locate
        frame = self._locate(np.array([p.lat for p in items]), np.array([p.lon for p in items]))
        columns = [[code_value(v) for v in frame[name].tolist()] for name in TERRITORY_COLUMNS]
        return [
            dict(zip(TERRITORY_COLUMNS, codes, strict=True)) for codes in zip(*columns, strict=True)
        ]

    def _change(
        self,
        project_id: int,
        values: dict[str, Any],
        *,
        actor: str,
        action: str,
        token: str | None = None,
        trusted: bool = False,
    ) -> Project:
        def work(connection: Connection) -> Project:
            before = load_project(connection, project_id, lock=True)
            recheck_token(connection, project_id, token, trusted=trusted)
            now = now_utc()
            connection.execute(
                projects.update()
                .where(projects.c.id == project_id)
                .values(values | {"updated_at": now})
            )
            after = load_project(connection, project_id)
            write_audit(connection, actor, action, project_id, before, after, now)
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
        action: str = "update",
        note: str | None = None,
    ) -> tuple[Project, bool]:
        """Replace the user fields of a stored project; status, token and dates are kept.
        Nothing is written (no audit entry either) when no field changes."""
        before = keep or load_project(connection, project_id, lock=True)
        record = record_of(project, codes) | {"updated_at": now}
        for name in ("status", "last_confirmed_at"):
            record.pop(name, None)
        old = private_dict(before)
        if all(old.get(k) == v for k, v in private_dict(project).items() if k in _EDITABLE) and (
            codes == codes_of(before)
        ):
            return before, False
        connection.execute(projects.update().where(projects.c.id == project_id).values(record))
        replace_tags(connection, [(project_id, project)])
        after = load_project(connection, project_id)
        write_audit(connection, actor, action, project_id, before, after, now, note=note)
        return after, True


def _missing_text_as_none(frame: pd.DataFrame) -> pd.DataFrame:
    """A text column's missing values as None, not NaN.

    pandas 3 reads a column of texts and Nones as strings whose missing value is NaN: truthy,
    and printed "nan" (a sheet showed "Échelle : nan" and a link to "nan"); every reader of the
    frame tests optional text with ``if row[...]``. Only the columns with a missing value are
    converted: the others keep pandas' compact strings."""
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.StringDtype) and column.hasnans:
            frame[name] = column.astype(object).where(column.notna(), None)
    return frame
