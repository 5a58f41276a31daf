"""Moderation, enforced in the store: the inbox and every decision of an authenticated moderator.

``store.moderation`` (a :class:`Moderation`) takes a :class:`~geo.store.identity.Moderator`
at every call and checks its session in the same transaction as the work
(:meth:`~geo.store.moderators.ModeratorAccounts.check`): scopes are read from the database
then, so a scoped moderator gets nothing outside their territories from :meth:`inbox` and is
refused any action on a project located elsewhere (for a pending revision, both the published
and the proposed locations must be in scope). Every decision is one transaction written to the
audit log under ``moderateur:<name>``, with the reason as the entry's note.

The inbox ("à modérer") holds, oldest first: proposed projects, pending revisions of published
projects, and published projects with open reports. Each item says why it needs attention:
a possible duplicate (similar title within 5 km or same website, published or proposed), a
point placed approximately, reports. Decisions:

- :meth:`approve`: publish a proposal, or apply a pending revision; reports are dismissed and
  a project hidden by reports shows again;
- :meth:`reject` (reason required): refuse a proposal, or reject a pending revision (the
  published version stays), or refuse a reported project;
- :meth:`edit`: correct the proposal, or the pending revision, before deciding;
- :meth:`archive`; :meth:`merge` a duplicate into another project (its carriers, links and
  empty fields go to the other one; it is archived, pointing at it);
- :meth:`approve_many` / :meth:`reject_many`: each project decided on its own, each outcome
  reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.errors import EditDeniedError, GeoError, ModerationError
from geo.projects.model import Carrier, Project, parse_project
from geo.store.contributions import (
    _close_pending,
    as_version_of,
    aware,
    clean_reason,
    comparable,
    find_duplicates,
    pending_revision,
    revision_project,
)
from geo.store.db import project_reports, project_revisions, projects, run_with_retry
from geo.store.identity import Moderator
from geo.store.moderators import Checked, ModeratorAccounts
from geo.store.query import ProjectFilter, select_rows, to_project, where_clauses
from geo.store.rows import codes_of, load_project, write_audit
from geo.store.workshops import in_room
from geo.territory import TERRITORY_COLUMNS, TerritoryRef

if TYPE_CHECKING:
    from geo.store.project_store import AuditEntry, ProjectStore

#: Fields of a duplicate that fill the same empty fields of the project it is merged into.
_FILLED_BY_MERGE = ("summary", "description", "website", "licence", "start_year", "address",
                    "scope", "power_kwc", "energy_mwh_year", "charging_points",
                    "citizen_shareholders", "budget_eur")  # fmt: skip
DUPLICATE_STATUSES = ("publie", "propose")


@dataclass(frozen=True)
class Report:
    reason: str
    created_at: datetime


@dataclass(frozen=True)
class Revision:
    id: int
    project: Project  # the proposed version, with the codes of its own location
    created_at: datetime


@dataclass(frozen=True)
class InboxItem:
    project: Project  # as stored: the published version when a revision waits
    revision: Revision | None
    reports: tuple[Report, ...]
    hidden: bool
    waiting_since: datetime
    duplicates: tuple[Project, ...] = ()

    @property
    def id(self) -> int:
        return int(self.project.id or 0)

    @property
    def kinds(self) -> tuple[str, ...]:
        """Why it is in the inbox: ``proposition``, ``modification``, ``signalement``."""
        kinds = []
        if self.project.status == "propose":
            kinds.append("proposition")
        if self.revision is not None:
            kinds.append("modification")
        if self.reports or self.hidden:
            kinds.append("signalement")
        return tuple(kinds)

    @property
    def attention(self) -> tuple[str, ...]:
        """The "needs attention" flags, in French."""
        flags = []
        if self.duplicates:
            flags.append("doublon possible")
        shown = self.revision.project if self.revision is not None else self.project
        if shown.location_approximate:
            flags.append("position approximative")
        if self.reports or self.hidden:
            flags.append("masqué après signalements" if self.hidden else "signalé")
        return tuple(flags)


@dataclass(frozen=True)
class InboxFilter:
    """Inbox filters: a territory (any level), themes, waiting at least ``min_days``."""

    territory: TerritoryRef | None = None
    themes: tuple[str, ...] = ()
    min_days: float | None = None


@dataclass(frozen=True)
class BatchOutcome:
    id: int
    done: bool
    message: str


class Moderation:
    """The moderation API of one store (``store.moderation``)."""

    def __init__(self, store: ProjectStore, accounts: ModeratorAccounts) -> None:
        self._store = store
        self.accounts = accounts

    # --- reading -------------------------------------------------------------------------------

    def inbox(
        self, moderator: Moderator, criteria: InboxFilter | None = None, *, limit: int = 200
    ) -> list[InboxItem]:
        """What this moderator may decide, oldest first (at most ``limit`` items)."""
        criteria = criteria or InboxFilter()

        def work(connection: Connection) -> list[InboxItem]:
            me = self.accounts.check(connection, moderator)
            waiting = self._waiting(connection, me, criteria)
            ordered = sorted(waiting.items(), key=lambda item: (item[1], item[0]))[:limit]
            return [self._item(connection, pid, since) for pid, since in ordered]

        return run_with_retry(self._store.engine, work, write=True)

    def count(self, moderator: Moderator) -> int:
        """How many items wait in this moderator's inbox (the navigation's count)."""

        def work(connection: Connection) -> int:
            me = self.accounts.check(connection, moderator)
            return len(self._waiting(connection, me, InboxFilter()))

        return run_with_retry(self._store.engine, work, write=True)

    def get(self, project_id: int, moderator: Moderator) -> InboxItem:
        """One project as the inbox shows it (also when nothing waits), within scope."""

        def work(connection: Connection) -> InboxItem:
            me = self.accounts.check(connection, moderator)
            current = load_project(connection, project_id)
            revision = pending_revision(connection, project_id)
            _require_scope(me, current, revision)
            return self._item(connection, project_id, aware(current.created_at))

        return run_with_retry(self._store.engine, work, write=True)

    def history(self, project_id: int, moderator: Moderator) -> list[AuditEntry]:
        """The project's audit log (creation, changes, reports, decisions with reasons)."""
        self.get(project_id, moderator)
        return self._store.audit(project_id)

    # --- decisions -----------------------------------------------------------------------------

    def approve(self, project_id: int, moderator: Moderator) -> Project:
        def work(connection: Connection) -> Project:
            me, current, revision = self._begin(connection, project_id, moderator)
            now = self.accounts.clock()
            reported = bool(_open_reports(connection, project_id)) or _hidden(
                connection, project_id
            )
            if current.status == "propose":
                after = self._set(connection, project_id, status="publie", now=now)
                write_audit(connection, me.actor, "approve", project_id, current, after, now)
            elif current.status == "publie" and revision is not None:
                proposed = parse_project(dict(revision.data))
                codes = {name: getattr(revision, name) for name in TERRITORY_COLUMNS}
                after, changed = self._store._rewrite(
                    connection, project_id, proposed, codes, actor=me.actor, now=now,
                    keep=current, action="approve",
                )  # fmt: skip
                if not changed:
                    write_audit(connection, me.actor, "approve", project_id, current, after, now,
                                extra={"revision": int(revision.id)})  # fmt: skip
                connection.execute(
                    project_revisions.update().where(project_revisions.c.id == revision.id)
                    .values(state="approved", decided_at=now, decided_by=me.actor)
                )  # fmt: skip
            elif current.status == "publie" and reported:
                write_audit(connection, me.actor, "approve", project_id, None, None, now,
                            extra={"signalements": "écartés"})  # fmt: skip
            else:
                raise ModerationError(_nothing(project_id, current, "approuver"))
            self._clear_reports(connection, project_id, me, now)
            return load_project(connection, project_id)

        return run_with_retry(self._store.engine, work, write=True)

    def reject(self, project_id: int, reason: object, moderator: Moderator) -> Project:
        text = clean_reason(reason, what="la raison du refus")

        def work(connection: Connection) -> Project:
            me, current, revision = self._begin(connection, project_id, moderator)
            now = self.accounts.clock()
            reported = bool(_open_reports(connection, project_id)) or _hidden(
                connection, project_id
            )
            if current.status == "propose":
                after = self._set(connection, project_id, status="refuse", now=now)
                write_audit(connection, me.actor, "reject", project_id, current, after, now,
                            note=text)  # fmt: skip
            elif current.status == "publie" and revision is not None:
                _close_pending(connection, project_id, "rejected", by=me.actor, now=now,
                               reason=text)  # fmt: skip
                write_audit(connection, me.actor, "reject", project_id, None, None, now,
                            note=text, extra={"revision": int(revision.id)})  # fmt: skip
            elif current.status == "publie" and reported:
                after = self._set(connection, project_id, status="refuse", now=now)
                write_audit(connection, me.actor, "reject", project_id, current, after, now,
                            note=text)  # fmt: skip
                self._clear_reports(connection, project_id, me, now)
            else:
                raise ModerationError(_nothing(project_id, current, "refuser"))
            return load_project(connection, project_id)

        return run_with_retry(self._store.engine, work, write=True)

    def archive(self, project_id: int, moderator: Moderator, reason: object = None) -> Project:
        note = clean_reason(reason) if reason else None

        def work(connection: Connection) -> Project:
            me, current, _ = self._begin(connection, project_id, moderator)
            if current.status == "archive":
                raise ModerationError(f"Le projet n°{project_id} est déjà archivé.")
            now = self.accounts.clock()
            _close_pending(connection, project_id, "rejected", by=me.actor, now=now, reason=note)
            after = self._set(connection, project_id, status="archive", now=now)
            write_audit(connection, me.actor, "archive", project_id, current, after, now,
                        note=note)  # fmt: skip
            self._clear_reports(connection, project_id, me, now)
            return after

        return run_with_retry(self._store.engine, work, write=True)

    def edit(self, project_id: int, changes: Mapping[str, Any], moderator: Moderator) -> Project:
        """Correct what waits (the pending revision, else the project itself); the result."""

        def read(connection: Connection) -> tuple[Project, Any]:
            return load_project(connection, project_id), pending_revision(connection, project_id)

        current, revision = run_with_retry(self._store.engine, read, write=False)
        base = revision_project(revision) if revision is not None else current
        draft = parse_project(comparable(base) | dict(changes))
        codes = self._store.locate_codes([draft])[0]

        def work(connection: Connection) -> Project:
            me, stored, pending = self._begin(connection, project_id, moderator)
            if not me.covers(codes):
                raise EditDeniedError(_out_of_scope(project_id, me))
            now = self.accounts.clock()
            if pending is not None:
                before = revision_project(pending)
                connection.execute(
                    project_revisions.update().where(project_revisions.c.id == pending.id)
                    .values(data=comparable(draft), **codes)
                )  # fmt: skip
                after = as_version_of(before, draft, codes)
                write_audit(connection, me.actor, "edit", project_id, before, after, now,
                            extra={"revision": int(pending.id)})  # fmt: skip
                return after
            return self._store._rewrite(
                connection, project_id, draft, codes, actor=me.actor, now=now, keep=stored,
                action="edit",
            )[0]  # fmt: skip

        return run_with_retry(self._store.engine, work, write=True)

    def merge(self, project_id: int, into: int, moderator: Moderator) -> Project:
        """Merge the duplicate ``project_id`` into ``into``; the project kept, as now."""
        if int(project_id) == int(into):
            raise ModerationError("Un projet ne peut pas être fusionné avec lui-même.")

        def work(connection: Connection) -> Project:
            me, duplicate, revision = self._begin(connection, project_id, moderator)
            target = load_project(connection, into, lock=True)
            _require_scope(me, target, None)
            if target.status not in ("publie", "propose"):
                msg = f"Le projet n°{into} est {target.status} : fusionnez dans un projet publié."
                raise ModerationError(msg)
            if duplicate.status == "archive":
                raise ModerationError(f"Le projet n°{project_id} est déjà archivé.")
            now = self.accounts.clock()
            combined = parse_project(_combined(comparable(target), duplicate))
            kept, changed = self._store._rewrite(
                connection, into, combined, codes_of(target), actor=me.actor, now=now,
                keep=target, action="merge", note=f"doublon n°{project_id} fusionné",
            )  # fmt: skip
            if not changed:
                write_audit(connection, me.actor, "merge", into, None, None, now,
                            note=f"doublon n°{project_id} fusionné")  # fmt: skip
            _close_pending(connection, project_id, "rejected", by=me.actor, now=now,
                           reason=f"fusionné dans le projet n°{into}")  # fmt: skip
            after = self._set(connection, project_id, status="archive", now=now, merged_into=into)
            write_audit(
                connection,
                me.actor,
                "merged",
                project_id,
                duplicate,
                after,
                now,
                note=f"fusionné dans le projet n°{into}",
                extra={"merged_into": into},
            )
            self._clear_reports(connection, project_id, me, now)
            return kept

        return run_with_retry(self._store.engine, work, write=True)

    def approve_many(self, ids: Iterable[int], moderator: Moderator) -> list[BatchOutcome]:
        return [self._one(pid, lambda p: self.approve(p, moderator), "publié") for pid in ids]

    def reject_many(
        self, ids: Iterable[int], reason: object, moderator: Moderator
    ) -> list[BatchOutcome]:
        clean_reason(reason, what="la raison du refus")  # once, before deciding anything
        return [self._one(pid, lambda p: self.reject(p, reason, moderator), "refusé")
                for pid in ids]  # fmt: skip

    # --- internals -----------------------------------------------------------------------------

    def _one(self, project_id: int, decide: Any, done: str) -> BatchOutcome:
        try:
            decide(project_id)
        except GeoError as error:
            return BatchOutcome(int(project_id), False, str(error))
        return BatchOutcome(int(project_id), True, f"Projet n°{project_id} : {done}.")

    def _begin(
        self, connection: Connection, project_id: int, moderator: Moderator
    ) -> tuple[Checked, Project, Any]:
        me = self.accounts.check(connection, moderator)
        current = load_project(connection, project_id, lock=True)
        revision = pending_revision(connection, project_id)
        _require_scope(me, current, revision)
        return me, current, revision

    def _set(self, connection: Connection, project_id: int, *, now: datetime,
             **values: Any) -> Project:  # fmt: skip
        connection.execute(
            projects.update().where(projects.c.id == project_id)
            .values(**values, hidden=False, updated_at=now)
        )  # fmt: skip
        return load_project(connection, project_id)

    def _clear_reports(self, connection: Connection, project_id: int, me: Checked,
                       now: datetime) -> None:  # fmt: skip
        connection.execute(
            project_reports.update()
            .where(project_reports.c.project_id == project_id,
                   project_reports.c.resolved_at.is_(None))
            .values(resolved_at=now, resolved_by=me.actor)
        )  # fmt: skip
        connection.execute(
            projects.update().where(projects.c.id == project_id).values(hidden=False)
        )

    def _waiting(
        self, connection: Connection, me: Checked, criteria: InboxFilter
    ) -> dict[int, datetime]:
        """``{project id: waiting since}`` of the inbox, in scope and filtered, in SQL."""
        where = where_clauses(
            ProjectFilter(
                territory=criteria.territory, themes=criteria.themes, include_hidden=True
            )  # fmt: skip
        )
        mine = me.clause(projects)
        found: dict[int, list[datetime]] = {}
        proposals = sa.select(projects.c.id, projects.c.created_at).where(
            # A workshop's ideas wait in the room until its facilitator hands them over.
            *where,
            mine,
            projects.c.status == "propose",
            ~in_room(projects),
        )
        revisions = (
            sa.select(projects.c.id, project_revisions.c.created_at)
            .join(project_revisions, project_revisions.c.project_id == projects.c.id)
            .where(
                *where,
                projects.c.status == "publie",
                project_revisions.c.state == "pending",
                sa.or_(mine, me.clause(project_revisions)),
            )  # fmt: skip
        )
        reports = (
            sa.select(projects.c.id, sa.func.min(project_reports.c.created_at))
            .join(project_reports, project_reports.c.project_id == projects.c.id)
            .where(
                *where, mine, projects.c.status == "publie", project_reports.c.resolved_at.is_(None)
            )  # fmt: skip
            .group_by(projects.c.id)
        )
        for query in (proposals, revisions, reports):
            for pid, since in connection.execute(query).all():
                found.setdefault(int(pid), []).append(aware(since))  # type: ignore[arg-type]
        waiting = {pid: min(times) for pid, times in found.items()}
        if criteria.min_days:
            limit = self.accounts.clock() - timedelta(days=criteria.min_days)
            waiting = {pid: since for pid, since in waiting.items() if since <= limit}
        return waiting

    def _item(self, connection: Connection, project_id: int, since: datetime | None) -> InboxItem:
        (row,) = select_rows(connection, [projects.c.id == project_id])
        project = to_project(row)
        pending = pending_revision(connection, project_id)
        revision = None
        if pending is not None:
            revision = Revision(
                int(pending.id), revision_project(pending), aware(pending.created_at)
            )  # type: ignore[arg-type]
        reports = tuple(Report(r.reason, aware(r.created_at))  # type: ignore[arg-type]
                        for r in _open_reports(connection, project_id))  # fmt: skip
        shown = revision.project if revision is not None else project
        duplicates = find_duplicates(
            connection, title=shown.title, lat=shown.lat, lon=shown.lon, website=shown.website,
            statuses=DUPLICATE_STATUSES, exclude=project_id,
        )  # fmt: skip
        return InboxItem(
            project,
            revision,
            reports,
            _hidden(connection, project_id),
            since or aware(project.created_at),
            tuple(duplicates),
        )  # type: ignore[arg-type]


def _open_reports(connection: Connection, project_id: int) -> Sequence[Any]:
    query = (
        sa.select(project_reports.c.reason, project_reports.c.created_at)
        .where(
            project_reports.c.project_id == project_id, project_reports.c.resolved_at.is_(None)
        )  # fmt: skip
        .order_by(project_reports.c.id)
    )
    return connection.execute(query).all()


def _hidden(connection: Connection, project_id: int) -> bool:
    query = sa.select(projects.c.hidden).where(projects.c.id == project_id)
    return bool(connection.execute(query).scalar_one_or_none())


def _out_of_scope(project_id: int, me: Checked) -> str:
    from geo.store.moderators import scope_text

    return (
        f"Le projet n°{project_id} est situé hors de votre territoire de modération "
        f"({scope_text(me.scopes)}) : vous ne pouvez ni le voir ni agir dessus."
    )


def _require_scope(me: Checked, project: Project, revision: Any) -> None:
    codes = codes_of(project)
    moved = {name: getattr(revision, name) for name in TERRITORY_COLUMNS} if revision else codes
    if not (me.covers(codes) and me.covers(moved)):
        raise EditDeniedError(_out_of_scope(int(project.id or 0), me))


def _nothing(project_id: int, project: Project, verb: str) -> str:
    from geo.projects.model import STATUSES

    return (
        f"Le projet n°{project_id} ({STATUSES.get(project.status, project.status)}) n'attend "
        f"aucune décision : rien à {verb}."
    )


def _combined(target: dict[str, Any], duplicate: Project) -> dict[str, Any]:
    """The target's fields, with the duplicate's carriers and links added and its values in
    the target's empty fields."""
    out = dict(target)
    names = {str(c["name"]).casefold() for c in out.get("carriers") or []}
    carriers = list(out.get("carriers") or [])
    for carrier in duplicate.carriers:
        item = carrier.model_dump() if isinstance(carrier, Carrier) else dict(carrier)
        if str(item["name"]).casefold() not in names:
            carriers.append(item)
            names.add(str(item["name"]).casefold())
    out["carriers"] = carriers[:20]
    out["commons"] = list(dict.fromkeys([*(out.get("commons") or []), *duplicate.commons]))[:50]
    out["categories"] = list(dict.fromkeys([*(out.get("categories") or []),
                                            *duplicate.categories]))  # fmt: skip
    out["themes"] = list(dict.fromkeys([*(out.get("themes") or []), *duplicate.themes]))
    for name in _FILLED_BY_MERGE:
        if out.get(name) in (None, "", []):
            value = getattr(duplicate, name)
            if value not in (None, "", []):
                out[name] = value
    return out
