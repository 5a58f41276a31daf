"""Workshop sessions in the store: a short code for the room, participants' ideas as proposed
projects numbered in their session, what the room's screen polls for.

A session belongs to a tour and is run by whoever may edit that tour (its private key, a
moderator, an operator: :meth:`geo.store.tours.Tours.actor`). It has a **code** of
:data:`CODE_LENGTH` characters from :data:`CODE_ALPHABET` (no 0/O, 1/I/L, 2/Z, 5/S, 8/B: read
aloud or copied from a screen without doubt), a territory, and limits taken from the settings
when it opens: ideas per participant per minute, ideas in the whole session.

A participant's idea (:meth:`Workshops.contribute`) is validated as a project, placed inside
the session's territory, and written in one transaction with its number (1, 2, 3… in the
session, to be called out), as a project of status ``propose`` (``source`` ``atelier``,
``external_id`` ``CODE-NUMBER``): never public until a moderator publishes it. While it is
**in the room** (not yet handed to moderation, or hidden by the facilitator) it stays out of
the moderators' inbox (:func:`in_room`); :meth:`Workshops.hand_over` hands the visible ones
over in one action.

A participant is a **device**: the page keeps a random key per phone in a cookie signed with
a server secret (:meth:`Workshops.device_secret`, :mod:`geo.workshop.room`), so that the limit
per minute holds across reloads; only the key's sha256 is stored. The facilitator hides
several ideas at once (:meth:`Workshops.hide_many`) and blocks the device that sent an idea
(:meth:`Workshops.block`): its further ideas are refused (:data:`BLOCKED`).

Every change of a session's ideas (a new one, hidden or shown again, handed over, its device
blocked or unblocked) and of its state (closed, reopened) increments the session's
``version``; each idea records the version of its last change, so the room's screen asks only
for what changed since the version it has (:meth:`Workshops.changes`).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from geo.errors import ProjectValidationError, WorkshopError
from geo.projects.model import FIELD_LABELS, Project, parse_project
from geo.store.contributions import aware
from geo.store.db import (
    app_secrets,
    projects,
    run_with_retry,
    workshop_blocks,
    workshop_contributions,
    workshop_sessions,
)
from geo.store.rows import hash_token, insert_projects, load_project, now_utc, record_of
from geo.store.tours import audit_tour
from geo.territory import TerritoryRef

if TYPE_CHECKING:
    from geo.store.project_store import ProjectStore

CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
SOURCE = "atelier"
NAME_MAX = 80
# Shown beside "Atelier" (masculine); the stored values stay as they are.
SESSION_STATUSES = {"ouverte": "ouvert", "fermee": "fermé"}
#: The fields a participant fills (the rest of the project takes the model's defaults).
PARTICIPANT_FIELDS = ("title", "summary", "themes", "lat", "lon", "address",
                      "location_approximate")  # fmt: skip

UNKNOWN_CODE = (
    "Ce code d'atelier est inconnu : vérifiez les {length} caractères affichés à l'écran "
    "de la salle (ou scannez à nouveau le QR code)."
)
CLOSED = (
    "Cet atelier est clos : il ne reçoit plus de contributions. Merci de votre participation ! "
    "Pour proposer un projet, utilisez la page « Proposer un projet »."
)
BLOCKED = (
    "L'animateur a bloqué les idées de ce téléphone pour cet atelier : celle-ci n'a pas été "
    "envoyée. Si c'est une erreur, parlez-en à l'animateur."
)
OUTSIDE = (
    "Ce point est hors du territoire de l'atelier : placez l'idée à l'intérieur du contour "
    "dessiné sur la carte."
)
#: The name of the key that signs the participants' device cookies (``app_secrets``).
DEVICE_SECRET = "atelier_appareil"


@dataclass(frozen=True)
class WorkshopSession:
    id: int
    code: str
    tour_id: int
    territory: TerritoryRef
    title: str
    status: str
    per_minute: int
    cap: int
    version: int
    created_at: datetime
    closed_at: datetime | None

    @property
    def open(self) -> bool:
        return self.status == "ouverte"


@dataclass(frozen=True)
class RoomItem:
    """One idea as the room's screen and the facilitator see it."""

    number: int
    project_id: int | None
    title: str
    summary: str
    themes: tuple[str, ...]
    lat: float
    lon: float
    name: str | None
    hidden: bool
    handed: bool
    version: int
    created_at: datetime
    #: The phone that sent it, numbered in its session (1: the first to send an idea).
    device: int = 0
    #: That phone is blocked: its further ideas are refused.
    blocked: bool = False


@dataclass(frozen=True)
class RoomChanges:
    """What changed in a session since a version: its state now and the ideas changed."""

    version: int
    status: str
    items: tuple[RoomItem, ...]


@dataclass(frozen=True)
class Contribution:
    number: int
    project_id: int
    session: WorkshopSession


def normalise_code(text: object) -> str:
    """A code as typed or read from a link: case and spaces do not matter."""
    return "".join(str(text or "").split()).upper()[: CODE_LENGTH + 4]


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def in_room(table: sa.Table) -> Any:
    """SQL condition "this project is a workshop idea still in the room" (the moderators'
    inbox leaves those out until the facilitator hands them over)."""
    waiting = sa.select(workshop_contributions.c.project_id).where(
        workshop_contributions.c.handed_at.is_(None),
        workshop_contributions.c.project_id.is_not(None),
    )
    return table.c.id.in_(waiting)


def release_sessions(connection: Connection, tour_id: int) -> None:
    """The tour is deleted: its sessions go, their ideas leave the room (to the inbox)."""
    ids = sa.select(workshop_sessions.c.id).where(workshop_sessions.c.tour_id == tour_id)
    connection.execute(
        workshop_contributions.delete().where(workshop_contributions.c.session_id.in_(ids))
    )
    connection.execute(workshop_blocks.delete().where(workshop_blocks.c.session_id.in_(ids)))
    connection.execute(workshop_sessions.delete().where(workshop_sessions.c.tour_id == tour_id))


def _session_of(row: Any) -> WorkshopSession:
    level, code = str(row.territory).split(":", 1)
    return WorkshopSession(
        int(row.id), row.code, int(row.tour_id), TerritoryRef(level, code), row.title,
        row.status, int(row.per_minute), int(row.cap), int(row.version),
        aware(row.created_at), aware(row.closed_at),  # type: ignore[arg-type]
    )  # fmt: skip


class Workshops:
    """The workshop sessions of one store (``store.workshops``)."""

    def __init__(self, store: ProjectStore) -> None:
        self._store = store
        self._device_secret: bytes | None = None

    @property
    def _engine(self) -> sa.Engine:
        return self._store.engine

    # --- the facilitator -----------------------------------------------------------------------

    def open(
        self,
        tour_id: int,
        *,
        territory: TerritoryRef,
        title: str | None = None,
        per_minute: int,
        cap: int,
        **auth: Any,
    ) -> WorkshopSession:
        """A new open session of the tour, with a fresh code."""
        from geo.store.tours import clean_title, load_tour

        def work(connection: Connection) -> WorkshopSession:
            actor = self._store.tours.actor(connection, tour_id, **auth)
            name = clean_title(title or load_tour(connection, tour_id).title,
                               what="Le titre de l'atelier")  # fmt: skip
            taken = True
            while taken:
                code = new_code()
                taken = (
                    connection.execute(
                        sa.select(workshop_sessions.c.id).where(workshop_sessions.c.code == code)
                    ).first()
                    is not None
                )
            now = now_utc()
            values = {"code": code, "tour_id": tour_id, "territory": str(territory),
                      "title": name, "status": "ouverte", "per_minute": int(per_minute),
                      "cap": int(cap), "version": 0, "created_at": now}  # fmt: skip
            session_id = connection.execute(
                workshop_sessions.insert().values(values).returning(workshop_sessions.c.id)
            ).scalar_one()
            audit_tour(connection, actor, "atelier_ouverture", tour_id, None,
                   {"code": code, "territory": str(territory), "title": name}, now)  # fmt: skip
            return self._load(connection, int(session_id))

        return run_with_retry(self._engine, work, write=True)

    def sessions(self, tour_id: int) -> list[WorkshopSession]:
        """The tour's sessions, newest first."""
        query = (
            sa.select(workshop_sessions)
            .where(workshop_sessions.c.tour_id == tour_id)
            .order_by(workshop_sessions.c.id.desc())
        )
        rows = run_with_retry(self._engine, lambda c: c.execute(query).all(), write=False)
        return [_session_of(r) for r in rows]

    def close(self, code: str, **auth: Any) -> WorkshopSession:
        return self._set_status(code, "fermee", **auth)

    def reopen(self, code: str, **auth: Any) -> WorkshopSession:
        return self._set_status(code, "ouverte", **auth)

    def hide(self, code: str, number: int, hidden: bool = True, **auth: Any) -> RoomItem:
        """Hide an idea from the room's screen (or show it again); it stays in the session's
        export and out of the moderators' inbox while hidden."""
        (item,) = self.hide_many(code, [number], hidden, **auth)
        return item

    def hide_many(
        self, code: str, numbers: Iterable[int], hidden: bool = True, **auth: Any
    ) -> list[RoomItem]:
        """Hide several ideas at once (or show them again), in one change of the session;
        an unknown number refuses the whole action. The ideas, by number."""
        wanted = sorted({int(n) for n in numbers})

        def work(connection: Connection) -> list[RoomItem]:
            session, actor = self._authorised(connection, code, **auth)
            rows = connection.execute(
                sa.select(workshop_contributions).where(
                    workshop_contributions.c.session_id == session.id,
                    workshop_contributions.c.number.in_(wanted),
                )
            ).all()
            missing = sorted(set(wanted) - {int(r.number) for r in rows})
            if missing:
                listed = ", ".join(f"n° {n}" for n in missing)
                msg = (
                    f"L'idée {listed} n'existe pas dans cet atelier."
                    if len(missing) == 1
                    else f"Les idées {listed} n'existent pas dans cet atelier."
                )
                raise WorkshopError(msg)
            changed = [r for r in rows if bool(r.hidden) != bool(hidden)]
            if changed:
                version, now = _bump(connection, session.id), now_utc()
                connection.execute(
                    workshop_contributions.update()
                    .where(workshop_contributions.c.id.in_([r.id for r in changed]))
                    .values(hidden=bool(hidden), version=version)
                )
                for row in changed:
                    audit_tour(connection, actor,
                               "atelier_masquage" if hidden else "atelier_affichage",
                               session.tour_id, {"code": session.code, "number": int(row.number)},
                               {"hidden": bool(hidden)}, now,
                               project_id=row.project_id)  # fmt: skip
            return self._items(connection, session.id, numbers=wanted)

        return run_with_retry(self._engine, work, write=True) if wanted else []

    def block(self, code: str, number: int, blocked: bool = True, **auth: Any) -> list[RoomItem]:
        """Block the device that sent idea ``number`` (or unblock it): its further ideas in
        this session are refused (:data:`BLOCKED`); those it sent stay as they are (hide them
        with :meth:`hide_many`). That device's ideas, by number."""

        def work(connection: Connection) -> list[RoomItem]:
            session, actor = self._authorised(connection, code, **auth)
            c = workshop_contributions.c
            row = connection.execute(
                sa.select(c.participant, c.project_id)
                .where(c.session_id == session.id, c.number == int(number))
            ).first()  # fmt: skip
            if row is None:
                msg = f"L'idée n° {int(number)} n'existe pas dans cet atelier."
                raise WorkshopError(msg)
            key = row.participant
            is_blocked = _is_blocked(connection, session.id, key)
            if is_blocked != bool(blocked):
                now = now_utc()
                if blocked:
                    connection.execute(workshop_blocks.insert().values(
                        session_id=session.id, participant=key, created_at=now))  # fmt: skip
                else:
                    connection.execute(workshop_blocks.delete().where(
                        workshop_blocks.c.session_id == session.id,
                        workshop_blocks.c.participant == key,
                    ))  # fmt: skip
                # Its ideas changed (they say whether their device is blocked).
                version = _bump(connection, session.id)
                connection.execute(
                    workshop_contributions.update()
                    .where(c.session_id == session.id, c.participant == key)
                    .values(version=version)
                )
                audit_tour(connection, actor, "atelier_blocage" if blocked else "atelier_deblocage",
                           session.tour_id, {"code": session.code, "number": int(number)},
                           {"blocked": bool(blocked)}, now,
                           project_id=row.project_id)  # fmt: skip
            numbers = connection.execute(
                sa.select(c.number).where(c.session_id == session.id, c.participant == key)
            ).scalars()
            return self._items(connection, session.id, numbers=[int(n) for n in numbers])

        return run_with_retry(self._engine, work, write=True)

    def hand_over(self, code: str, **auth: Any) -> int:
        """Hand every visible idea not yet handed over to the moderators' inbox; how many."""

        def work(connection: Connection) -> int:
            session, actor = self._authorised(connection, code, **auth)
            rows = connection.execute(
                sa.select(workshop_contributions.c.id, workshop_contributions.c.project_id,
                          workshop_contributions.c.number)
                .where(workshop_contributions.c.session_id == session.id,
                       workshop_contributions.c.handed_at.is_(None),
                       workshop_contributions.c.hidden == sa.false())
            ).all()  # fmt: skip
            if not rows:
                return 0
            now = now_utc()
            version = _bump(connection, session.id)
            connection.execute(
                workshop_contributions.update()
                .where(workshop_contributions.c.id.in_([r.id for r in rows]))
                .values(handed_at=now, version=version)
            )
            for row in rows:
                audit_tour(connection, actor, "atelier_remise", session.tour_id, None,
                       {"code": session.code, "number": int(row.number)}, now,
                       project_id=row.project_id)  # fmt: skip
            return len(rows)

        return run_with_retry(self._engine, work, write=True)

    def contributions(self, code: str, **auth: Any) -> list[tuple[RoomItem, Project]]:
        """Every idea of the session with its project, by number (the facilitator's export)."""

        def work(connection: Connection) -> list[tuple[RoomItem, Project]]:
            session, _ = self._authorised(connection, code, **auth)
            out = []
            for item in self._items(connection, session.id):
                if item.project_id is not None:
                    out.append((item, load_project(connection, item.project_id)))
            return out

        return run_with_retry(self._engine, work, write=auth.get("moderator") is not None)

    # --- the room ------------------------------------------------------------------------------

    def device_secret(self) -> bytes:
        """The key that signs the participants' device cookies: made the first time it is
        needed, kept in the store (every process of a deployment uses the same)."""
        if self._device_secret is None:
            self._device_secret = _app_secret(self._engine, DEVICE_SECRET).encode("ascii")
        return self._device_secret

    def is_blocked(self, code: str, participant: str) -> bool:
        """The facilitator blocked this participant (device key) in this session."""
        session = self.by_code(code)
        key = hash_token(participant)
        return run_with_retry(self._engine, lambda c: _is_blocked(c, session.id, key), write=False)

    def by_code(self, code: str) -> WorkshopSession:
        """The session of a code; a French :class:`WorkshopError` when there is none."""
        wanted = normalise_code(code)
        query = sa.select(workshop_sessions).where(workshop_sessions.c.code == wanted)
        row = None
        if len(wanted) == CODE_LENGTH and set(wanted) <= set(CODE_ALPHABET):
            row = run_with_retry(self._engine, lambda c: c.execute(query).first(), write=False)
        if row is None:
            raise WorkshopError(UNKNOWN_CODE.format(length=CODE_LENGTH))
        return _session_of(row)

    def changes(self, code: str, since: int = 0) -> RoomChanges:
        """The session's state and the ideas changed after version ``since`` (all at 0):
        two small indexed queries, whatever the size of the session."""

        def work(connection: Connection) -> RoomChanges:
            row = connection.execute(
                sa.select(workshop_sessions.c.id, workshop_sessions.c.version,
                          workshop_sessions.c.status)
                .where(workshop_sessions.c.code == normalise_code(code))
            ).first()  # fmt: skip
            if row is None:
                raise WorkshopError(UNKNOWN_CODE.format(length=CODE_LENGTH))
            if int(row.version) <= since:
                return RoomChanges(int(row.version), row.status, ())
            items = self._items(connection, int(row.id), since=since)
            return RoomChanges(int(row.version), row.status, tuple(items))

        return run_with_retry(self._engine, work, write=False)

    def contribute(
        self,
        code: str,
        fields: Mapping[str, Any],
        *,
        participant: str,
        name: str | None = None,
    ) -> Contribution:
        """A participant's idea: validated as a project (every problem at once, as
        :class:`ProjectValidationError`), inside the session's territory, within the limits;
        stored as a proposed project with the next number of the session."""
        session = self.by_code(code)
        if not session.open:
            raise WorkshopError(CLOSED)
        data = {k: fields[k] for k in PARTICIPANT_FIELDS if k in fields}
        data |= {"stage": "idee", "source": SOURCE, "external_id": f"{session.code}-0"}
        project = parse_project(data)
        who = " ".join(_clean_name(name).split()) or None
        codes = self._store.locate_codes([project])[0]
        level, wanted = session.territory.level, session.territory.code
        if codes.get(f"code_{level}") != wanted:
            raise ProjectValidationError({"location": [OUTSIDE]}, FIELD_LABELS)
        key = hash_token(participant)

        def work(connection: Connection) -> Contribution:
            row = connection.execute(
                sa.select(workshop_sessions)
                .where(workshop_sessions.c.id == session.id)
                .with_for_update()
            ).first()
            current = _session_of(row)
            if not current.open:
                raise WorkshopError(CLOSED)
            if _is_blocked(connection, session.id, key):
                raise WorkshopError(BLOCKED)
            now = now_utc()
            counted = sa.select(sa.func.count()).select_from(workshop_contributions)
            recent = connection.execute(counted.where(
                workshop_contributions.c.session_id == session.id,
                workshop_contributions.c.participant == key,
                workshop_contributions.c.created_at > now - timedelta(minutes=1),
            )).scalar_one()  # fmt: skip
            if recent >= current.per_minute:
                msg = (
                    f"Vous avez envoyé {recent} idées dans la dernière minute : c'est le "
                    "maximum. Attendez un instant puis renvoyez ; votre saisie est conservée."
                )
                raise WorkshopError(msg)
            total = connection.execute(
                counted.where(workshop_contributions.c.session_id == session.id)
            ).scalar_one()
            if total >= current.cap:
                msg = (
                    f"Cet atelier a reçu {total} idées : c'est le maximum prévu. Parlez-en à "
                    "l'animateur ; votre saisie est conservée."
                )
                raise WorkshopError(msg)
            number = int(connection.execute(
                sa.select(sa.func.coalesce(sa.func.max(workshop_contributions.c.number), 0))
                .where(workshop_contributions.c.session_id == session.id)
            ).scalar_one()) + 1  # fmt: skip
            numbered = project.model_copy(update={"external_id": f"{session.code}-{number}"})
            record = record_of(numbered, codes) | {
                "status": "propose", "created_at": now, "updated_at": now,
                "last_confirmed_at": now, "token_hash": hash_token(secrets.token_urlsafe(32)),
            }  # fmt: skip
            (created,) = insert_projects(
                connection, [(0, record, "")], actor=f"atelier:{session.code}", now=now
            )
            version = _bump(connection, session.id)
            connection.execute(workshop_contributions.insert().values(
                session_id=session.id, number=number, project_id=created.id, participant=key,
                name=who, hidden=False, version=version, created_at=now,
            ))  # fmt: skip
            return Contribution(number, int(created.id), current)  # type: ignore[arg-type]

        return run_with_retry(self._engine, work, write=True)

    # --- internals -----------------------------------------------------------------------------

    def _load(self, connection: Connection, session_id: int) -> WorkshopSession:
        row = connection.execute(
            sa.select(workshop_sessions).where(workshop_sessions.c.id == session_id)
        ).first()
        return _session_of(row)

    def _authorised(
        self, connection: Connection, code: str, **auth: Any
    ) -> tuple[WorkshopSession, str]:
        row = connection.execute(
            sa.select(workshop_sessions).where(workshop_sessions.c.code == normalise_code(code))
        ).first()
        if row is None:
            raise WorkshopError(UNKNOWN_CODE.format(length=CODE_LENGTH))
        session = _session_of(row)
        return session, self._store.tours.actor(connection, session.tour_id, **auth)

    def _set_status(self, code: str, status: str, **auth: Any) -> WorkshopSession:
        def work(connection: Connection) -> WorkshopSession:
            session, actor = self._authorised(connection, code, **auth)
            if session.status != status:
                now = now_utc()
                _bump(connection, session.id)
                connection.execute(
                    workshop_sessions.update()
                    .where(workshop_sessions.c.id == session.id)
                    .values(status=status, closed_at=now if status == "fermee" else None)
                )
                audit_tour(connection, actor,
                       "atelier_cloture" if status == "fermee" else "atelier_reouverture",
                       session.tour_id, {"code": session.code, "status": session.status},
                       {"status": status}, now)  # fmt: skip
            return self._load(connection, session.id)

        return run_with_retry(self._engine, work, write=True)

    def _items(
        self,
        connection: Connection,
        session_id: int,
        *,
        since: int | None = None,
        numbers: list[int] | None = None,
    ) -> list[RoomItem]:
        c = workshop_contributions.c
        # A device's number in the session: the order of its first idea.
        first = (
            sa.select(c.participant, sa.func.min(c.number).label("first"))
            .where(c.session_id == session_id)
            .group_by(c.participant)
            .subquery()
        )
        devices = sa.select(
            first.c.participant,
            sa.func.row_number().over(order_by=first.c.first).label("device"),
        ).subquery()
        blocked = sa.select(workshop_blocks.c.participant).where(
            workshop_blocks.c.session_id == session_id
        )
        query = (
            sa.select(c.number, c.project_id, c.name, c.hidden, c.handed_at, c.version,
                      c.created_at, projects.c.title, projects.c.summary, projects.c.themes,
                      projects.c.lat, projects.c.lon, devices.c.device,
                      c.participant.in_(blocked).label("blocked"))
            .outerjoin(projects, projects.c.id == c.project_id)
            .join(devices, devices.c.participant == c.participant)
            .where(c.session_id == session_id)
            .order_by(c.number)
        )  # fmt: skip
        if since is not None:
            query = query.where(c.version > since)
        if numbers is not None:
            query = query.where(c.number.in_(numbers))
        items = []
        for row in connection.execute(query).all():
            if row.project_id is None:
                continue  # its project was deleted
            themes = row.themes if isinstance(row.themes, list) else json.loads(row.themes or "[]")
            items.append(RoomItem(
                int(row.number), int(row.project_id), row.title, row.summary or "",
                tuple(themes), float(row.lat), float(row.lon), row.name, bool(row.hidden),
                row.handed_at is not None, int(row.version), aware(row.created_at),  # type: ignore[arg-type]
                int(row.device), bool(row.blocked),
            ))  # fmt: skip
        return items


def _clean_name(value: object) -> str:
    text = "".join(ch for ch in str(value or "") if ch.isprintable())
    if len(text.strip()) > NAME_MAX:
        msg = {"name": [f"Le nom fait {len(text.strip())} caractères : {NAME_MAX} au plus."]}
        raise ProjectValidationError(msg, FIELD_LABELS | {"name": "nom"})
    return text


def _is_blocked(connection: Connection, session_id: int, key: str) -> bool:
    query = sa.select(workshop_blocks.c.session_id).where(
        workshop_blocks.c.session_id == session_id, workshop_blocks.c.participant == key
    )
    return connection.execute(query).first() is not None


def _app_secret(engine: sa.Engine, name: str) -> str:
    """The secret ``name`` of ``app_secrets``, made (64 hex digits) when there is none yet."""
    query = sa.select(app_secrets.c.value).where(app_secrets.c.name == name)
    found = run_with_retry(engine, lambda c: c.execute(query).scalar(), write=False)
    if found:
        return str(found)

    def make(connection: Connection) -> str:
        value = connection.execute(query).scalar()
        if value is None:
            value = secrets.token_hex(32)
            connection.execute(
                app_secrets.insert().values(name=name, value=value, created_at=now_utc())
            )
        return str(value)

    try:
        return run_with_retry(engine, make, write=True)
    except IntegrityError:  # another process made it at the same moment: theirs is the one
        return str(run_with_retry(engine, lambda c: c.execute(query).scalar_one(), write=False))


def _bump(connection: Connection, session_id: int) -> int:
    connection.execute(
        workshop_sessions.update()
        .where(workshop_sessions.c.id == session_id)
        .values(version=workshop_sessions.c.version + 1)
    )
    return int(
        connection.execute(
            sa.select(workshop_sessions.c.version).where(workshop_sessions.c.id == session_id)
        ).scalar_one()
    )
