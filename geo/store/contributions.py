"""What the public does to stored projects besides adding them: changes through an edit link,
reports, and the look-ups the contribution form needs (possible duplicates, recent volume).

A change made with a project's edit token (:func:`submit_change`) updates a proposed project
at once (a refused one goes back to moderation as proposed); for a **published** project it is
stored as a pending revision (``project_revisions``) and the published version stays as it is
until a moderator approves it (:mod:`geo.store.moderation`). An archived project is no longer
edited by its link. The token holder of a refused project, or of a refused change, reads the
moderator's reason (:func:`refusal`). A visitor's report (:func:`report`) is kept with its
reason; once ``GEO_REPORTS_TO_HIDE`` different visitors have reported a published project, it
is hidden from every public query until a moderator decides.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import numpy as np
import sqlalchemy as sa
from rapidfuzz import fuzz
from sqlalchemy.engine import Connection

from geo.errors import EditDeniedError, ModerationError, ProjectValidationError
from geo.projects.model import SERVER_FIELDS, Project, parse_project, private_dict
from geo.store.db import audit_log, project_reports, project_revisions, projects, run_with_retry
from geo.store.query import haversine_km, near_box, select_rows, to_project
from geo.store.rows import (
    hash_token,
    load_project,
    now_utc,
    recheck_token,
    write_audit,
)
from geo.territory import TERRITORY_COLUMNS
from geo.text import search_words

if TYPE_CHECKING:
    from geo.store.project_store import ProjectStore

#: Radius of "near" for duplicates, and the title similarity (0-100) that makes one.
DUPLICATE_RADIUS_KM = 5.0
TITLE_SIMILARITY = 85
REASON_MAX = 500
EDIT_LINK = "lien d'édition"
VISITOR = "visiteur"


@dataclass(frozen=True)
class ChangeOutcome:
    """``updated``: the project changed now; ``pending``: the change waits for a moderator
    (``project`` is still the published version); ``unchanged``: nothing differed. A refused
    project corrected is ``updated``, back in the moderators' inbox as proposed; sent again
    as it was, it is ``unchanged`` and stays refused."""

    kind: Literal["updated", "pending", "unchanged"]
    project: Project
    revision_id: int | None = None


@dataclass(frozen=True)
class Refusal:
    """Why the moderation refused what the token holder proposed: the project itself
    (``proposed`` is None), or a change of the published project (``proposed`` is that
    change, which the published version did not take)."""

    reason: str | None  # None: refused by an operator's command, without a reason
    at: datetime
    proposed: Project | None = None


@dataclass(frozen=True)
class ReportOutcome:
    recorded: bool  # False when this visitor had already reported it
    reports: int  # open reports from different visitors
    hidden: bool


def comparable(project: Project) -> dict[str, Any]:
    """The fields a person edits, JSON-ready (to tell whether a change changes anything)."""
    data = private_dict(project)
    drop = set(SERVER_FIELDS) | {"status", "last_confirmed_at"}
    return {k: v for k, v in data.items() if k not in drop}


def as_version_of(base: Project, draft: Project, codes: Mapping[str, str | None]) -> Project:
    """``base`` with the edited fields of ``draft`` at ``codes``: what the audit log compares."""
    fields = {name: getattr(draft, name) for name in comparable(draft)}
    return base.model_copy(update=fields | dict(codes))


def revision_project(row: Any) -> Project:
    """A revision row's proposed project, with the codes of its own location."""
    data = dict(row.data) | {name: getattr(row, name) for name in TERRITORY_COLUMNS}
    data |= {"id": row.project_id, "status": "publie"}
    return to_project({**{name: None for name in Project.model_fields}, **data})


def pending_revision(connection: Connection, project_id: int) -> Any:
    query = (
        sa.select(project_revisions)
        .where(
            project_revisions.c.project_id == project_id, project_revisions.c.state == "pending"
        )  # fmt: skip
        .order_by(project_revisions.c.id.desc())
    )
    return connection.execute(query).first()


def submit_change(
    store: ProjectStore, project_id: int, changes: Mapping[str, Any], *, token: str
) -> ChangeOutcome:
    """A token holder's change (see module docstring); every problem listed at once."""
    if not store.verify_token(project_id, token):
        msg = "Ce lien d'édition n'est pas valable pour ce projet."
        raise EditDeniedError(msg)
    current = store.get(project_id)
    if current.status == "archive":
        msg = "Ce projet a été archivé par la modération : son lien d'édition ne le modifie plus."
        raise EditDeniedError(msg)
    if current.status != "publie":
        before = comparable(current)
        if current.status == "refuse" and _same(current, changes):
            # Sent again as it was refused: the moderators would get it back unchanged.
            return ChangeOutcome("unchanged", current)
        updated = store.update(project_id, changes, token=token)
        kind = "unchanged" if comparable(updated) == before else "updated"
        return ChangeOutcome(kind, updated)
    changes = {k: v for k, v in changes.items() if k not in SERVER_FIELDS and k != "status"}
    draft = parse_project(comparable(current) | dict(changes))
    codes = store.locate_codes([draft])[0]

    def work(connection: Connection) -> ChangeOutcome:
        published = load_project(connection, project_id, lock=True)
        recheck_token(connection, project_id, token, trusted=False)
        if published.status != "publie":
            raise EditDeniedError("Ce projet a changé de statut entre-temps : rechargez la page.")
        now = now_utc()
        _close_pending(connection, project_id, "superseded", by=EDIT_LINK, now=now)
        if comparable(draft) == comparable(published):
            return ChangeOutcome("unchanged", published)
        revision_id = connection.execute(
            project_revisions.insert()
            .values(
                project_id=project_id,
                data=comparable(draft),
                state="pending",
                created_at=now,
                actor=EDIT_LINK,
                **codes,
            )  # fmt: skip
            .returning(project_revisions.c.id)
        ).scalar_one()
        proposed = as_version_of(published, draft, codes)
        write_audit(connection, EDIT_LINK, "revision", project_id, published, proposed, now,
                    extra={"revision": revision_id})  # fmt: skip
        return ChangeOutcome("pending", published, revision_id)

    return run_with_retry(store.engine, work, write=True)


def _same(current: Project, changes: Mapping[str, Any]) -> bool:
    """Whether ``changes`` leave the project as it is (invalid changes are not: the store
    lists their problems)."""
    edited = {k: v for k, v in changes.items() if k not in SERVER_FIELDS and k != "status"}
    try:
        draft = parse_project(comparable(current) | edited)
    except ProjectValidationError:
        return False
    return comparable(draft) == comparable(current)


def refusal(store: ProjectStore, project_id: int, *, token: str) -> Refusal | None:
    """What the moderation refused and why, for the token holder's form: a refused project's
    latest refusal, or a published project's latest change when a moderator rejected it
    (None when nothing refused waits for an answer)."""
    if not store.verify_token(project_id, token):
        msg = "Ce lien d'édition n'est pas valable pour ce projet."
        raise EditDeniedError(msg)

    def work(connection: Connection) -> Refusal | None:
        project = load_project(connection, project_id)
        if project.status == "refuse":
            return _project_refusal(connection, project)
        if project.status != "publie":
            return None
        latest = connection.execute(
            sa.select(project_revisions)
            .where(project_revisions.c.project_id == project_id)
            .order_by(project_revisions.c.id.desc())
            .limit(1)
        ).first()
        # "superseded" revisions were replaced by their author; "approved" ones were taken.
        if latest is None or latest.state != "rejected":
            return None
        when = aware(latest.decided_at) or aware(latest.created_at)
        return Refusal(latest.reason, when, revision_project(latest))  # type: ignore[arg-type]

    return run_with_retry(store.engine, work, write=False)


def _project_refusal(connection: Connection, project: Project) -> Refusal:
    """The entry that refused the project: a moderator's rejection (with its reason) or an
    operator's status change."""
    entries = connection.execute(
        sa.select(audit_log.c.action, audit_log.c.at, audit_log.c.note, audit_log.c.after)
        .where(audit_log.c.project_id == project.id, audit_log.c.action.in_(["reject", "status"]))
        .order_by(audit_log.c.id.desc())
    )
    for entry in entries:  # a rejected change of the published version has no status
        if (entry.after or {}).get("status") == "refuse":
            return Refusal(entry.note, aware(entry.at))  # type: ignore[arg-type]
    return Refusal(None, aware(project.updated_at) or now_utc())


def pending_change(store: ProjectStore, project_id: int, *, token: str) -> Project | None:
    """The change waiting for a moderator, for the token holder's form (None when none)."""
    if not store.verify_token(project_id, token):
        msg = "Ce lien d'édition n'est pas valable pour ce projet."
        raise EditDeniedError(msg)

    def work(connection: Connection) -> Project | None:
        row = pending_revision(connection, project_id)
        return None if row is None else revision_project(row)

    return run_with_retry(store.engine, work, write=False)


def _close_pending(
    connection: Connection, project_id: int, state: str, *, by: str, now: datetime,
    reason: str | None = None,
) -> int | None:  # fmt: skip
    """Decide every pending revision of a project; the id of the last one (None when none)."""
    row = pending_revision(connection, project_id)
    connection.execute(
        project_revisions.update()
        .where(
            project_revisions.c.project_id == project_id, project_revisions.c.state == "pending"
        )  # fmt: skip
        .values(state=state, decided_at=now, decided_by=by, reason=reason)
    )
    return None if row is None else int(row.id)


def clean_reason(reason: object, *, what: str = "la raison") -> str:
    """A reason (report, rejection) as typed: required, at most :data:`REASON_MAX` characters."""
    text = str(reason or "").strip()
    if not text:
        msg = f"Indiquez {what}."
        raise ModerationError(msg)
    if len(text) > REASON_MAX:
        msg = f"{what.capitalize()} tient en {REASON_MAX} caractères au plus (ici {len(text)})."
        raise ModerationError(msg)
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e\u2066-\u2069]", text):
        msg = f"{what.capitalize()} contient un caractère de contrôle : retirez-le."
        raise ModerationError(msg)
    return text


def report(
    store: ProjectStore, project_id: int, reason: object, *, reporter: str, threshold: int
) -> ReportOutcome:
    """A visitor reports a published project; ``reporter`` is a key of that visitor (stored
    hashed), so that one visitor counts once however many times they report."""
    text = clean_reason(reason, what="la raison du signalement")
    who = hash_token(str(reporter))

    def work(connection: Connection) -> ReportOutcome:
        project = load_project(connection, project_id, lock=True)
        hidden = bool(_hidden(connection, project_id))
        if project.status != "publie" or hidden:
            msg = "Ce projet n'est pas (ou plus) publié : il ne peut pas être signalé."
            raise ModerationError(msg)
        now = now_utc()
        already = connection.execute(
            sa.select(sa.func.count()).where(
                project_reports.c.project_id == project_id,
                project_reports.c.reporter == who,
                project_reports.c.resolved_at.is_(None),
            )
        ).scalar_one()
        if not already:
            connection.execute(
                project_reports.insert().values(
                    project_id=project_id, reason=text, reporter=who, created_at=now
                )
            )
            write_audit(connection, VISITOR, "report", project_id, None, None, now, note=text)
        count = open_reporters(connection, project_id)
        if count >= threshold:
            connection.execute(
                projects.update().where(projects.c.id == project_id).values(hidden=True)
            )
            write_audit(connection, VISITOR, "hide", project_id, None, None, now,
                        extra={"signalements": count})  # fmt: skip
            hidden = True
        return ReportOutcome(not already, count, hidden)

    return run_with_retry(store.engine, work, write=True)


def open_reporters(connection: Connection, project_id: int) -> int:
    query = sa.select(sa.func.count(sa.distinct(project_reports.c.reporter))).where(
        project_reports.c.project_id == project_id, project_reports.c.resolved_at.is_(None)
    )
    return int(connection.execute(query).scalar_one())


def _hidden(connection: Connection, project_id: int) -> bool:
    query = sa.select(projects.c.hidden).where(projects.c.id == project_id)
    return bool(connection.execute(query).scalar_one_or_none())


def recent_count(store: ProjectStore, *, action: str, actor: str, hours: float = 1.0) -> int:
    """Audit entries of that action by that actor in the last ``hours`` (the hourly limit)."""
    since = now_utc() - timedelta(hours=hours)
    query = sa.select(sa.func.count()).where(
        audit_log.c.action == action, audit_log.c.actor == actor, audit_log.c.at >= since
    )
    return int(run_with_retry(store.engine, lambda c: c.execute(query).scalar_one(), write=False))


# --- possible duplicates -----------------------------------------------------------------------


def website_key(url: object) -> str | None:
    """A website compared loosely: host without ``www.``, path without its final ``/``."""
    if not url:
        return None
    text = str(url).strip()
    parts = urlsplit(text if "://" in text else f"https://{text}")
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not host:
        return None
    return f"{host}{parts.path.rstrip('/').lower()}"


def similar_titles(first: str, second: str) -> bool:
    """Titles a person would call the same project (case, accents, word order, a typo)."""
    a, b = search_words(first), search_words(second)
    if not a or not b:
        return False
    score = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))
    if min(len(a.split()), len(b.split())) >= 2:
        score = max(score, fuzz.token_set_ratio(a, b))
    return score >= TITLE_SIMILARITY


def find_duplicates(
    connection: Connection,
    *,
    title: str,
    lat: float | None,
    lon: float | None,
    website: str | None,
    statuses: tuple[str, ...],
    exclude: int | None = None,
    limit: int = 10,
) -> list[Project]:
    """Stored projects of those statuses with a similar title within
    :data:`DUPLICATE_RADIUS_KM`, or the same website anywhere; nearest first."""
    base = [projects.c.status.in_(list(statuses)), projects.c.hidden == sa.false()]
    if exclude is not None:
        base.append(projects.c.id != exclude)
    found: dict[int, tuple[float, dict[str, Any]]] = {}
    if lat is not None and lon is not None and title:
        rows = select_rows(connection, [*base, near_box(lat, lon, DUPLICATE_RADIUS_KM)])
        if rows:
            km = haversine_km(lat, lon, np.array([r["lat"] for r in rows], dtype=float),
                              np.array([r["lon"] for r in rows], dtype=float))  # fmt: skip
            for row, distance in zip(rows, km, strict=True):
                if distance <= DUPLICATE_RADIUS_KM and similar_titles(title, row["title"]):
                    found[row["id"]] = (float(distance), row)
    key = website_key(website)
    if key:
        host = key.split("/", 1)[0]
        same_host = sa.func.lower(projects.c.website).contains(host)
        rows = select_rows(connection, [*base, projects.c.website.is_not(None), same_host])
        for row in rows:
            if website_key(row["website"]) == key and row["id"] not in found:
                distance = float("inf")
                if lat is not None and lon is not None:
                    distance = float(haversine_km(lat, lon, np.array([row["lat"]]),
                                                  np.array([row["lon"]]))[0])  # fmt: skip
                found[row["id"]] = (distance, row)
    ranked = sorted(found.values(), key=lambda item: (item[0], -item[1]["id"]))
    return [to_project(row) for _, row in ranked[:limit]]


def duplicates(
    store: ProjectStore,
    *,
    title: str,
    lat: float | None,
    lon: float | None,
    website: str | None,
    statuses: tuple[str, ...] = ("publie",),
    exclude: int | None = None,
) -> list[Project]:
    """:func:`find_duplicates` in a read transaction of its own (the contribution form)."""
    return run_with_retry(
        store.engine,
        lambda c: find_duplicates(
            c, title=title, lat=lat, lon=lon, website=website, statuses=statuses, exclude=exclude
        ),  # fmt: skip
        write=False,
    )


def aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
