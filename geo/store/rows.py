"""Rows of the project store: records written, creation in bulk, tags, audit entries, tokens.

Every function here runs inside a transaction opened by :class:`geo.store.ProjectStore`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.errors import EditDeniedError, ProjectNotFoundError, ProjectValidationError
from geo.projects.model import FIELD_LABELS, STATUSES, Project, private_dict
from geo.store import links
from geo.store.db import audit_log, project_categories, project_themes, projects
from geo.store.query import PROJECT_COLUMNS, to_project
from geo.territory import TERRITORY_COLUMNS
from geo.text import search_words


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RowResult:
    """Outcome of one input row of :meth:`ProjectStore.add_many` (``index`` counts from 0)."""

    index: int
    action: Literal["created", "updated", "unchanged", "rejected"]
    id: int | None = None
    token: str | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


def token_matches(connection: Connection, project_id: int, token: str) -> bool:
    query = sa.select(projects.c.token_hash).where(projects.c.id == project_id)
    stored = connection.execute(query).scalar_one_or_none()
    # Compare hashes of equal length even when the project does not exist.
    return hmac.compare_digest(stored or "0" * 64, hash_token(token)) and stored is not None


def recheck_token(
    connection: Connection, project_id: int, token: str | None, *, trusted: bool
) -> None:
    """Inside the write transaction: the token checked before may have been replaced since
    (``trusted``: an operator acts, no token is needed)."""
    if trusted:
        return
    if token is None or not token_matches(connection, project_id, token):
        msg = "Ce lien d'édition n'est pas valable pour ce projet."
        raise EditDeniedError(msg)


def input_of(row: Project | Mapping[str, Any]) -> Mapping[str, Any]:
    return private_dict(row) if isinstance(row, Project) else row


def check_status(status: str) -> str:
    if status not in STATUSES:
        msg = {"status": [f"Statut inconnu : {status!r} (attendu : {', '.join(STATUSES)})."]}
        raise ProjectValidationError(msg, FIELD_LABELS)
    return status


def duplicate_error() -> dict[str, list[str]]:
    return {"external_id": ["Identifiant externe en double dans le même envoi."]}


def taken_error() -> dict[str, list[str]]:
    return {
        "external_id": [
            "Un projet de cette source a déjà cet identifiant externe : il n'a pas été modifié "
            "(seul son lien d'édition le modifie)."
        ]
    }


def code_value(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def codes_of(project: Project) -> dict[str, str | None]:
    return {name: getattr(project, name) for name in TERRITORY_COLUMNS}


def search_text(project: Project) -> str:
    """Title, summary, carriers' and partners' names, lessons learned: what the text search
    reads."""
    carriers = " ".join(c.name for c in [*project.carriers, *project.partners])
    lessons = " ".join(lesson.text() for lesson in project.lessons)
    return search_words(f"{project.title} {project.summary} {carriers} {lessons}")


def record_of(project: Project, codes: Mapping[str, str | None]) -> dict[str, Any]:
    data = project.model_dump(mode="python", exclude={"id", "created_at", "updated_at"})
    data["carriers"] = [c.model_dump() for c in project.carriers]
    data["partners"] = [c.model_dump() for c in project.partners]
    data["lessons"] = [lesson.model_dump(mode="json") for lesson in project.lessons]
    data["area"] = None if project.area is None else json.dumps(project.area)
    data.update(codes)
    data["search_text"] = search_text(project)
    return data


def existing_keys(connection: Connection, items: list[Project]) -> dict[tuple[str, str], int]:
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


def insert_projects(
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
        after = jsonable(
            {k: v for k, v in record.items() if k not in ("token_hash", "search_text")}
        )
        entries.append(
            {"at": now, "actor": actor, "action": "create", "project_id": pid, "before": None,
             "after": after | {"id": pid}}
        )  # fmt: skip
    replace_tags(connection, tagged, fresh=True)
    connection.execute(audit_log.insert(), entries)
    return [
        RowResult(index, "created", id=pid, token=token)
        for pid, (index, _, token) in zip(ids, inserts, strict=True)
    ]


def replace_tags(
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
    links.sync_projects(connection, items, fresh=fresh)


def jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in values.items():
        out[key] = value.isoformat() if isinstance(value, datetime) else value
    return out


def write_audit(
    connection: Connection,
    actor: str,
    action: str,
    project_id: int,
    before: Project | None,
    after: Project | None,
    now: datetime,
    *,
    note: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Only the fields that changed, before and after (a creation keeps the whole record);
    ``note`` is a moderator's reason, ``extra`` moderation facts added to ``after``."""
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
            after=({k: new.get(k) for k in changed} if after else {}) | dict(extra or {})
            if after or extra
            else None,
            note=note,
        )
    )


def load_project(connection: Connection, project_id: int, *, lock: bool = False) -> Project:
    columns = [projects.c[name] for name in PROJECT_COLUMNS]
    query = sa.select(*columns).where(projects.c.id == project_id)
    if lock:
        query = query.with_for_update()
    row = connection.execute(query).mappings().one_or_none()
    if row is None:
        msg = f"Aucun projet n'a l'identifiant {project_id}."
        raise ProjectNotFoundError(msg)
    return to_project(row)
