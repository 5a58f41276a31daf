"""Tours ("parcours") in the store: a facilitator's ordered stops, each a saved view.

A tour is created by anyone (``store.tours.create``), who gets its **private key** once
(``secrets.token_urlsafe(32)``, stored as its sha256 only, as a project's edit token): with it,
or as an authenticated moderator, or as an operator (a command on the server), the tour is
renamed, published or put back to draft, its stops added, edited, moved or deleted, the tour
duplicated or deleted. A published tour (``publie``) may be presented by anyone with its link;
a draft only by its author or a moderator.

A stop holds the parameters of the page it was saved from (``kind`` ``explorer``: the
Explorer's URL state, see :mod:`geo.explorer.state`; ``portrait``: the territory and the
comparison chosen), a title and a short note in Markdown, stored as typed and only ever shown
through :func:`geo.text.safe_markdown`. What the parameters mean is checked by
:mod:`geo.workshop.stops`; the store checks sizes and kinds.

Every write is one transaction with its ``audit_log`` entry (``tour_id`` set, ``project_id``
empty): who (``auteur du parcours``, ``moderateur:NAME``, ``operateur:NAME``), what, before and
after.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from geo.errors import EditDeniedError, TourError, TourNotFoundError
from geo.store.contributions import aware
from geo.store.db import audit_log, run_with_retry, tour_stops, tours
from geo.store.identity import Moderator, Operator
from geo.store.rows import hash_token, jsonable, now_utc

if TYPE_CHECKING:
    from geo.store.moderators import ModeratorAccounts

TOUR_STATUSES = {"brouillon": "brouillon", "publie": "publié"}
STOP_KINDS = {"explorer": "vue de l'Explorer", "portrait": "portrait de territoire"}
TITLE_MAX = 120
NOTE_MAX = 2000
#: Characters of the stop's parameters as JSON (an Explorer link is a few hundred).
PARAMS_MAX = 4000
MAX_STOPS = 60
AUTHOR = "auteur du parcours"
DENIED = (
    "Seul l'auteur du parcours (avec son lien privé) ou un modérateur connecté peut le modifier."
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Stop:
    id: int
    position: int
    kind: str
    title: str
    note: str
    params: dict[str, str]


@dataclass(frozen=True)
class Tour:
    id: int
    title: str
    territory: str | None
    status: str
    created_at: datetime
    updated_at: datetime
    copied_from: int | None = None
    stops: tuple[Stop, ...] = field(default_factory=tuple)

    @property
    def published(self) -> bool:
        return self.status == "publie"


@dataclass(frozen=True)
class TourEvent:
    """One entry of a tour's history (the audit log)."""

    at: datetime
    actor: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


# --- values ------------------------------------------------------------------------------------


def clean_title(value: object, *, what: str = "Le titre") -> str:
    """A one-line title, spaces collapsed, 1 to :data:`TITLE_MAX` characters."""
    text = " ".join(_CONTROL.sub(" ", str(value or "")).split())
    if not text:
        msg = f"{what} est vide : donnez-en un (ex. « Les projets solaires de la Métropole »)."
        raise TourError(msg)
    if len(text) > TITLE_MAX:
        msg = f"{what} fait {len(text)} caractères : {TITLE_MAX} au plus."
        raise TourError(msg)
    return text


def clean_note(value: object) -> str:
    """The stop's note as typed (Markdown source, line breaks kept), at most
    :data:`NOTE_MAX` characters; control and direction-override characters removed."""
    text = _CONTROL.sub("", str(value or "").replace("\r\n", "\n")).strip()
    if len(text) > NOTE_MAX:
        msg = f"La note fait {len(text)} caractères : {NOTE_MAX} au plus."
        raise TourError(msg)
    return text


def clean_params(params: Mapping[str, Any]) -> dict[str, str]:
    if not isinstance(params, Mapping):
        msg = "La vue enregistrée n'est pas une liste de paramètres."
        raise TourError(msg)
    out = {str(k): str(v) for k, v in params.items()}
    if len(json.dumps(out, ensure_ascii=False)) > PARAMS_MAX:
        msg = "Cette vue a trop de paramètres pour être enregistrée : retirez des filtres."
        raise TourError(msg)
    return out


def _kind(kind: str) -> str:
    if kind not in STOP_KINDS:
        msg = f"Type d'arrêt inconnu : {kind!r} (attendu : {', '.join(STOP_KINDS)})."
        raise TourError(msg)
    return kind


def _status(status: str) -> str:
    if status not in TOUR_STATUSES:
        msg = f"Statut de parcours inconnu : {status!r} (attendu : {', '.join(TOUR_STATUSES)})."
        raise TourError(msg)
    return status


# --- the store's tours -------------------------------------------------------------------------


class Tours:
    """The tours of one store (``store.tours``)."""

    def __init__(self, engine: Engine, accounts: ModeratorAccounts) -> None:
        self.engine = engine
        self.accounts = accounts

    # --- reads ---------------------------------------------------------------------------------

    def get(self, tour_id: int) -> Tour:
        return run_with_retry(self.engine, lambda c: load_tour(c, tour_id), write=False)

    def list(self, *, statuses: tuple[str, ...] | None = None) -> list[Tour]:
        """Every tour (with its stops), newest first; ``statuses`` keeps those only."""

        def work(connection: Connection) -> list[Tour]:
            query = sa.select(tours.c.id).order_by(tours.c.id.desc())
            if statuses is not None:
                query = query.where(tours.c.status.in_(list(statuses)))
            return [load_tour(connection, int(i)) for i in connection.execute(query).scalars()]

        return run_with_retry(self.engine, work, write=False)

    def verify(self, tour_id: int, token: str | None) -> bool:
        """Whether ``token`` is this tour's private key (constant-time comparison)."""
        if not token or not isinstance(token, str):
            return False
        return run_with_retry(self.engine, lambda c: _token_matches(c, tour_id, token), write=False)

    def may_edit(
        self, tour_id: int, *, token: str | None = None, moderator: Moderator | None = None
    ) -> bool:
        """Whether this key or this moderator's session may change the tour now."""
        try:
            run_with_retry(
                self.engine,
                lambda c: self.actor(c, tour_id, token=token, moderator=moderator),
                write=moderator is not None,
            )
        except (EditDeniedError, TourNotFoundError):
            return False
        return True

    def history(self, tour_id: int) -> list[TourEvent]:
        query = sa.select(audit_log).where(audit_log.c.tour_id == tour_id).order_by(audit_log.c.id)
        rows = run_with_retry(self.engine, lambda c: c.execute(query).all(), write=False)
        return [TourEvent(aware(r.at), r.actor, r.action, r.before, r.after) for r in rows]

    # --- writes --------------------------------------------------------------------------------

    def create(
        self, title: str, *, territory: str | None = None, actor: str | Operator = "visiteur"
    ) -> tuple[int, str]:
        """A new draft tour, and its private key (returned once, stored hashed)."""
        title = clean_title(title, what="Le titre du parcours")
        token = secrets.token_urlsafe(32)
        label = actor.actor if isinstance(actor, Operator) else AUTHOR

        def work(connection: Connection) -> int:
            now = now_utc()
            values = {
                "title": title,
                "territory": territory,
                "status": "brouillon",
                "token_hash": hash_token(token),
                "created_at": now,
                "updated_at": now,
            }
            tour_id = int(
                connection.execute(tours.insert().values(values).returning(tours.c.id)).scalar_one()
            )
            audit_tour(connection, label, "parcours_creation", tour_id, None,
                   {"title": title, "territory": territory}, now)  # fmt: skip
            return tour_id

        return run_with_retry(self.engine, work, write=True), token

    def rename(self, tour_id: int, title: str, **auth: Any) -> Tour:
        title = clean_title(title, what="Le titre du parcours")
        return self._set(tour_id, {"title": title}, "parcours_titre", **auth)

    def set_status(self, tour_id: int, status: str, **auth: Any) -> Tour:
        """``publie``: anyone with the link may present it; ``brouillon``: back to its author."""
        return self._set(tour_id, {"status": _status(status)}, "parcours_statut", **auth)

    def set_territory(self, tour_id: int, territory: str | None, **auth: Any) -> Tour:
        return self._set(tour_id, {"territory": territory}, "parcours_territoire", **auth)

    def add_stop(
        self,
        tour_id: int,
        *,
        kind: str,
        title: str,
        note: str = "",
        params: Mapping[str, Any],
        **auth: Any,
    ) -> Stop:
        """A stop at the end of the tour."""
        values = {"kind": _kind(kind), "title": clean_title(title, what="Le titre de l'arrêt"),
                  "note": clean_note(note), "params": clean_params(params)}  # fmt: skip

        def work(connection: Connection) -> Stop:
            actor = self.actor(connection, tour_id, lock=True, **auth)
            count = connection.execute(
                sa.select(sa.func.count()).where(tour_stops.c.tour_id == tour_id)
            ).scalar_one()
            if count >= MAX_STOPS:
                msg = f"Ce parcours a déjà {MAX_STOPS} arrêts : c'est le maximum."
                raise TourError(msg)
            now = now_utc()
            stop_id = connection.execute(
                tour_stops.insert()
                .values(values | {"tour_id": tour_id, "position": count + 1, "created_at": now})
                .returning(tour_stops.c.id)
            ).scalar_one()
            _touch(connection, tour_id, now)
            audit_tour(connection, actor, "arret_ajout", tour_id, None,
                   values | {"stop": int(stop_id), "position": count + 1}, now)  # fmt: skip
            return _stop(connection, tour_id, int(stop_id))

        return run_with_retry(self.engine, work, write=True)

    def update_stop(
        self,
        tour_id: int,
        stop_id: int,
        *,
        title: str | None = None,
        note: str | None = None,
        params: Mapping[str, Any] | None = None,
        **auth: Any,
    ) -> Stop:
        changes: dict[str, Any] = {}
        if title is not None:
            changes["title"] = clean_title(title, what="Le titre de l'arrêt")
        if note is not None:
            changes["note"] = clean_note(note)
        if params is not None:
            changes["params"] = clean_params(params)

        def work(connection: Connection) -> Stop:
            actor = self.actor(connection, tour_id, lock=True, **auth)
            before = _stop(connection, tour_id, stop_id)
            old = {k: getattr(before, k) for k in changes}
            if old == changes:
                return before
            now = now_utc()
            connection.execute(
                tour_stops.update().where(tour_stops.c.id == stop_id).values(changes)
            )
            _touch(connection, tour_id, now)
            audit_tour(connection, actor, "arret_modification", tour_id, old | {"stop": stop_id},
                   changes | {"stop": stop_id}, now)  # fmt: skip
            return _stop(connection, tour_id, stop_id)

        return run_with_retry(self.engine, work, write=True)

    def move_stop(self, tour_id: int, stop_id: int, offset: int, **auth: Any) -> Tour:
        """Move a stop ``offset`` places (negative: earlier), within the tour's ends."""

        def work(connection: Connection) -> Tour:
            actor = self.actor(connection, tour_id, lock=True, **auth)
            order = _stop_ids(connection, tour_id)
            if stop_id not in order:
                raise _no_stop(stop_id)
            old = order.index(stop_id)
            new = max(0, min(len(order) - 1, old + int(offset)))
            if new != old:
                order.insert(new, order.pop(old))
                now = now_utc()
                _renumber(connection, order)
                _touch(connection, tour_id, now)
                audit_tour(connection, actor, "arret_deplacement", tour_id,
                       {"stop": stop_id, "position": old + 1},
                       {"stop": stop_id, "position": new + 1}, now)  # fmt: skip
            return load_tour(connection, tour_id)

        return run_with_retry(self.engine, work, write=True)

    def delete_stop(self, tour_id: int, stop_id: int, **auth: Any) -> Tour:
        def work(connection: Connection) -> Tour:
            actor = self.actor(connection, tour_id, lock=True, **auth)
            before = _stop(connection, tour_id, stop_id)
            now = now_utc()
            connection.execute(tour_stops.delete().where(tour_stops.c.id == stop_id))
            _renumber(connection, _stop_ids(connection, tour_id))
            _touch(connection, tour_id, now)
            audit_tour(connection, actor, "arret_suppression", tour_id,
                   {"stop": stop_id, "title": before.title, "kind": before.kind,
                    "note": before.note, "params": before.params}, None, now)  # fmt: skip
            return load_tour(connection, tour_id)

        return run_with_retry(self.engine, work, write=True)

    def duplicate(self, tour_id: int, *, title: str | None = None, **auth: Any) -> tuple[int, str]:
        """A draft copy of the tour and its stops, with a private key of its own."""
        token = secrets.token_urlsafe(32)

        def work(connection: Connection) -> int:
            actor = self.actor(connection, tour_id, **auth)
            source = load_tour(connection, tour_id)
            name = clean_title(title or f"Copie de {source.title}"[:TITLE_MAX],
                               what="Le titre du parcours")  # fmt: skip
            now = now_utc()
            values = {"title": name, "territory": source.territory, "status": "brouillon",
                      "token_hash": hash_token(token), "created_at": now, "updated_at": now,
                      "copied_from": tour_id}  # fmt: skip
            copy_id = int(
                connection.execute(tours.insert().values(values).returning(tours.c.id)).scalar_one()
            )
            _insert_stops(connection, copy_id, source.stops, now)
            after = {"title": name, "copied_from": tour_id, "stops": len(source.stops)}
            audit_tour(connection, actor, "parcours_copie", copy_id, None, after, now)
            return copy_id

        return run_with_retry(self.engine, work, write=True), token

    def delete(self, tour_id: int, **auth: Any) -> None:
        """Delete the tour, its stops and its workshop sessions (their contributions stay
        proposed projects, and go to the moderators' inbox)."""

        def work(connection: Connection) -> None:
            actor = self.actor(connection, tour_id, lock=True, **auth)
            before = load_tour(connection, tour_id)
            from geo.store.workshops import release_sessions

            release_sessions(connection, tour_id)
            connection.execute(tour_stops.delete().where(tour_stops.c.tour_id == tour_id))
            connection.execute(tours.delete().where(tours.c.id == tour_id))
            gone = {"title": before.title, "stops": len(before.stops)}
            audit_tour(connection, actor, "parcours_suppression", tour_id, gone, None, now_utc())

        run_with_retry(self.engine, work, write=True)

    # --- internals -----------------------------------------------------------------------------

    def actor(
        self,
        connection: Connection,
        tour_id: int,
        *,
        token: str | None = None,
        moderator: Moderator | None = None,
        operator: Operator | None = None,
        lock: bool = False,
    ) -> str:
        """Inside a transaction: who acts on the tour (its label in the audit log), or a
        French :class:`EditDeniedError`."""
        query = sa.select(tours.c.token_hash).where(tours.c.id == tour_id)
        if lock:
            query = query.with_for_update()
        stored = connection.execute(query).scalar_one_or_none()
        if stored is None:
            raise _no_tour(tour_id)
        if isinstance(operator, Operator):
            return operator.actor
        if moderator is not None:
            return self.accounts.check(connection, moderator).actor
        if token and isinstance(token, str) and secrets.compare_digest(stored, hash_token(token)):
            return AUTHOR
        raise EditDeniedError(DENIED)

    def _set(self, tour_id: int, values: dict[str, Any], action: str, **auth: Any) -> Tour:
        def work(connection: Connection) -> Tour:
            actor = self.actor(connection, tour_id, lock=True, **auth)
            before = load_tour(connection, tour_id)
            old = {k: getattr(before, k) for k in values}
            if old != values:
                now = now_utc()
                connection.execute(
                    tours.update().where(tours.c.id == tour_id).values(values | {"updated_at": now})
                )
                audit_tour(connection, actor, action, tour_id, old, values, now)
            return load_tour(connection, tour_id)

        return run_with_retry(self.engine, work, write=True)


# --- rows --------------------------------------------------------------------------------------


def load_tour(connection: Connection, tour_id: int) -> Tour:
    row = connection.execute(sa.select(tours).where(tours.c.id == tour_id)).first()
    if row is None:
        raise _no_tour(tour_id)
    stops = connection.execute(
        sa.select(tour_stops)
        .where(tour_stops.c.tour_id == tour_id)
        .order_by(tour_stops.c.position, tour_stops.c.id)
    ).all()
    return Tour(
        int(row.id), row.title, row.territory, row.status, aware(row.created_at),
        aware(row.updated_at), row.copied_from, tuple(_stop_of(s) for s in stops),
    )  # fmt: skip


def _stop_of(row: Any) -> Stop:
    params = row.params if isinstance(row.params, dict) else json.loads(row.params or "{}")
    return Stop(int(row.id), int(row.position), row.kind, row.title, row.note, dict(params))


def _stop(connection: Connection, tour_id: int, stop_id: int) -> Stop:
    row = connection.execute(
        sa.select(tour_stops).where(tour_stops.c.id == stop_id, tour_stops.c.tour_id == tour_id)
    ).first()
    if row is None:
        raise _no_stop(stop_id)
    return _stop_of(row)


def _stop_ids(connection: Connection, tour_id: int) -> list[int]:
    query = (
        sa.select(tour_stops.c.id)
        .where(tour_stops.c.tour_id == tour_id)
        .order_by(tour_stops.c.position, tour_stops.c.id)
    )
    return [int(i) for i in connection.execute(query).scalars()]


def _renumber(connection: Connection, order: list[int]) -> None:
    for position, stop_id in enumerate(order, start=1):
        connection.execute(
            tour_stops.update().where(tour_stops.c.id == stop_id).values(position=position)
        )


def _insert_stops(
    connection: Connection, tour_id: int, stops: tuple[Stop, ...], now: datetime
) -> None:
    if stops:
        connection.execute(
            tour_stops.insert(),
            [{"tour_id": tour_id, "position": i, "kind": s.kind, "title": s.title,
              "note": s.note, "params": s.params, "created_at": now}
             for i, s in enumerate(stops, start=1)],
        )  # fmt: skip


def _token_matches(connection: Connection, tour_id: int, token: str) -> bool:
    stored = connection.execute(
        sa.select(tours.c.token_hash).where(tours.c.id == tour_id)
    ).scalar_one_or_none()
    return secrets.compare_digest(stored or "0" * 64, hash_token(token)) and stored is not None


def _touch(connection: Connection, tour_id: int, now: datetime) -> None:
    connection.execute(tours.update().where(tours.c.id == tour_id).values(updated_at=now))


def audit_tour(
    connection: Connection,
    actor: str,
    action: str,
    tour_id: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    now: datetime,
    *,
    project_id: int | None = None,
) -> None:
    """An audit entry about a tour (and, for a workshop's idea, its project)."""
    connection.execute(
        audit_log.insert().values(
            at=now,
            actor=actor[:200],
            action=action,
            project_id=project_id,
            tour_id=tour_id,
            before=None if before is None else jsonable(before),
            after=None if after is None else jsonable(after),
        )
    )


def _no_tour(tour_id: int) -> TourNotFoundError:
    return TourNotFoundError(f"Aucun parcours n'a le numéro {tour_id} (supprimé, ou lien erroné).")


def _no_stop(stop_id: int) -> TourNotFoundError:
    return TourNotFoundError(f"Cet arrêt ({stop_id}) n'est plus dans le parcours.")
