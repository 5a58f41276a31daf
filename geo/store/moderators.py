"""Moderator accounts: names, scopes, password hashes, sessions, lock-out after failures.

Only an :class:`~geo.store.identity.Operator` (a command on the server:
``python -m geo moderators add|remove|scope``) creates, removes or scopes an account. ``add``
returns a random password, shown once; the store keeps only its argon2id hash (argon2-cffi,
whose verification runs in constant time; an unknown name is checked against a dummy hash so
that it takes as long as a known one). There is no default account and no default password.

Repeated failures lock an account for a growing delay, enforced here (server-side, per
account, in the database, so every app process shares it): after :data:`FREE_FAILURES` wrong
passwords, :data:`FIRST_DELAY` seconds, doubling at each further failure up to
:data:`MAX_DELAY`; during the delay even the right password is refused unchecked. The page
keeps a :class:`LoginThrottle` per visitor session too.

A successful login opens a session: a random token (returned inside the
:class:`~geo.store.identity.Moderator`, stored as its sha256) that expires after
``GEO_MODERATION_SESSION_MINUTES`` without use; :meth:`ModeratorAccounts.check` verifies it at
every moderation action, slides its expiry and returns the account's current scopes. Scopes are
territories (``departement:38``, ``epci:200040715``…): a scoped moderator sees and acts only on
projects located in one of them; no scope means all of France.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Connection, Engine

from geo.errors import EditDeniedError, LoginError, ModerationError, UnknownTerritoryError
from geo.settings import Settings, get_settings
from geo.store.db import moderator_scopes, moderator_sessions, moderators, run_with_retry
from geo.store.identity import Moderator, Operator
from geo.store.rows import hash_token, now_utc
from geo.territory import LEVEL_LABELS, TerritoryRef
from geo.territory.ref import split_ref

#: Wrong passwords allowed before the first delay, the first delay and the longest (seconds).
FREE_FAILURES = 3
FIRST_DELAY = 5.0
MAX_DELAY = 900.0
_NAME = re.compile(r"[\w.@+-]{2,200}")


def lock_delay(failures: int) -> float:
    """Seconds an account (or a session) waits after ``failures`` consecutive failures."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(MAX_DELAY, FIRST_DELAY * 2 ** (failures - FREE_FAILURES))


def wait_text(seconds: float) -> str:
    seconds = max(1, round(seconds))
    if seconds < 120:
        return f"{seconds} s"
    return f"{round(seconds / 60)} min"


def locked_message(seconds: float) -> str:
    return (
        "Trop de tentatives de connexion manquées : réessayez dans "
        f"{wait_text(seconds)} (le délai double à chaque nouvel échec)."
    )


WRONG_PASSWORD = "Nom de modérateur ou mot de passe incorrect."
EXPIRED = (
    "Votre session de modération a expiré après {minutes} d'inactivité : reconnectez-vous "
    "(rien n'a été modifié)."
)
UNKNOWN_SESSION = (
    "Votre session de modération n'est plus valable (déconnexion, compte retiré ou session "
    "inconnue) : reconnectez-vous."
)


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id, RFC 9106 low-memory profile (argon2-cffi's default)


@cache
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def parse_scope(text: str) -> TerritoryRef:
    """``"departement:38"`` as a scope, checked for form (the CLI resolves it)."""
    try:
        level, code = split_ref(str(text))
        return TerritoryRef(level, code)
    except UnknownTerritoryError as error:
        msg = f"Territoire de modération invalide : {text!r} ({error})"
        raise ModerationError(msg) from None


def scope_text(scopes: Sequence[TerritoryRef]) -> str:
    if not scopes:
        return "toute la France"
    return ", ".join(f"{LEVEL_LABELS[s.level]} {s.code}" for s in scopes)


@dataclass(frozen=True)
class Account:
    """What ``moderators list`` shows (never a hash)."""

    name: str
    scopes: tuple[TerritoryRef, ...]
    oidc: bool
    created_at: datetime
    last_login_at: datetime | None
    locked_until: datetime | None


@dataclass(frozen=True)
class Checked:
    """A session verified inside a transaction: the account and its scopes now."""

    id: int
    name: str
    scopes: tuple[TerritoryRef, ...]

    @property
    def actor(self) -> str:
        return f"moderateur:{self.name}"[:200]

    def covers(self, codes: dict[str, str | None]) -> bool:
        """Whether a location (its four territory codes) lies in this moderator's scopes."""
        if not self.scopes:
            return True
        return any(codes.get(f"code_{s.level}") == s.code for s in self.scopes)

    def clause(self, table: sa.Table) -> Any:
        """The SQL condition "located in my scopes" on a table with the four code columns."""
        if not self.scopes:
            return sa.true()
        return sa.or_(*[table.c[f"code_{s.level}"] == s.code for s in self.scopes])


@dataclass
class LoginThrottle:
    """Failures of one visitor's session (kept in its server-side session state): the same
    growing delay as per account, so one session cannot try name after name."""

    failures: int = 0
    locked_until: float = 0.0
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)

    def refuse(self) -> LoginError | None:
        """The error to show instead of trying, while this session must wait."""
        left = self.locked_until - self.clock()
        return LoginError(locked_message(left), retry_after=left) if left > 0 else None

    def failed(self) -> None:
        self.failures += 1
        self.locked_until = self.clock() + lock_delay(self.failures)

    def succeeded(self) -> None:
        self.failures = 0
        self.locked_until = 0.0


class ModeratorAccounts:
    """The accounts of one store (``store.moderators``)."""

    def __init__(self, engine: Engine, settings: Settings | None = None) -> None:
        self.engine = engine
        self._settings = settings
        self.clock: Callable[[], datetime] = now_utc

    @property
    def session_minutes(self) -> float:
        return (self._settings or get_settings()).moderation_session_minutes

    # --- operators' commands -------------------------------------------------------------------

    def add(
        self,
        name: str,
        scopes: Iterable[TerritoryRef] = (),
        *,
        operator: Operator,
        oidc: bool = False,
    ) -> str | None:
        """Create an account; its password (shown once), or None for an OIDC account (its
        name is the e-mail the identity provider gives)."""
        _require_operator(operator)
        name = _check_name(name)
        password = None if oidc else secrets.token_urlsafe(15)
        hashed = None if password is None else _hasher().hash(password)
        wanted = _unique_scopes(scopes)

        def work(connection: Connection) -> None:
            if _account_id(connection, name) is not None:
                msg = f"Un modérateur s'appelle déjà {name!r}."
                raise ModerationError(msg)
            row = connection.execute(
                moderators.insert()
                .values(
                    name=name,
                    password_hash=hashed,
                    oidc=oidc,
                    created_at=self.clock(),
                    failed_logins=0,
                )  # fmt: skip
                .returning(moderators.c.id)
            ).scalar_one()
            _write_scopes(connection, row, wanted)

        run_with_retry(self.engine, work, write=True)
        return password

    def remove(self, name: str, *, operator: Operator) -> None:
        """Delete an account; its open sessions end with it."""
        _require_operator(operator)

        def work(connection: Connection) -> None:
            account = _require_account(connection, name)
            connection.execute(
                moderator_sessions.delete().where(moderator_sessions.c.moderator_id == account)
            )
            connection.execute(
                moderator_scopes.delete().where(moderator_scopes.c.moderator_id == account)
            )
            connection.execute(moderators.delete().where(moderators.c.id == account))

        run_with_retry(self.engine, work, write=True)

    def set_scopes(self, name: str, scopes: Iterable[TerritoryRef], *, operator: Operator) -> None:
        """Replace an account's scopes (none: all of France); open sessions follow at once."""
        _require_operator(operator)
        wanted = _unique_scopes(scopes)

        def work(connection: Connection) -> None:
            account = _require_account(connection, name)
            connection.execute(
                moderator_scopes.delete().where(moderator_scopes.c.moderator_id == account)
            )
            _write_scopes(connection, account, wanted)

        run_with_retry(self.engine, work, write=True)

    def list(self) -> list[Account]:
        def work(connection: Connection) -> list[Account]:
            rows = connection.execute(sa.select(moderators).order_by(moderators.c.name)).all()
            return [
                Account(
                    r.name,
                    _scopes_of(connection, r.id),
                    bool(r.oidc),
                    _aware(r.created_at),
                    _aware(r.last_login_at),  # type: ignore[arg-type]
                    _aware(r.locked_until),
                )  # fmt: skip
                for r in rows
            ]

        return run_with_retry(self.engine, work, write=False)

    def any_password_account(self) -> bool:
        """Whether some account can log in with a password (else the page says how to make one)."""
        query = sa.select(sa.func.count()).where(moderators.c.password_hash.is_not(None))
        return bool(run_with_retry(self.engine, lambda c: c.execute(query).scalar_one(),
                                   write=False))  # fmt: skip

    def session_for(self, name: str, *, operator: Operator) -> Moderator:
        """An operator acting as a named moderator (``projects moderate --as NAME``): a
        session of that account, with its scopes, without its password."""
        _require_operator(operator)

        def work(connection: Connection) -> Moderator:
            account = _require_account(connection, name)
            return self._open_session(connection, account, name)

        return run_with_retry(self.engine, work, write=True)

    # --- logging in and out --------------------------------------------------------------------

    def log_in(self, name: str, password: str) -> Moderator:
        """A session for the right name and password, or a French :class:`LoginError`."""
        name, password = str(name or "").strip(), str(password or "")

        def read(connection: Connection) -> Any:
            query = sa.select(moderators).where(moderators.c.name == name)
            return connection.execute(query).one_or_none()

        row = run_with_retry(self.engine, read, write=False) if name else None
        now = self.clock()
        if row is not None and (_aware(row.locked_until) or now) > now:
            left = (_aware(row.locked_until) - now).total_seconds()  # type: ignore[operator]
            raise LoginError(locked_message(left), retry_after=left)
        stored = row.password_hash if row is not None else None
        if not _verify(stored or _dummy_hash(), password) or row is None or stored is None:
            if row is not None:
                self._failed(row.id)
            raise LoginError(WRONG_PASSWORD)

        def succeed(connection: Connection) -> Moderator:
            connection.execute(
                moderators.update()
                .where(moderators.c.id == row.id)
                .values(failed_logins=0, locked_until=None, last_login_at=self.clock())
            )
            return self._open_session(connection, row.id, row.name)

        return run_with_retry(self.engine, succeed, write=True)

    def log_in_oidc(self, email: str) -> Moderator:
        """A session for an identity the app's OpenID Connect login verified (``st.user``):
        the account named by that e-mail must exist, created with ``--oidc``."""
        email = str(email or "").strip()

        def work(connection: Connection) -> Moderator:
            query = sa.select(moderators.c.id, moderators.c.name, moderators.c.oidc).where(
                sa.func.lower(moderators.c.name) == email.lower()
            )
            row = connection.execute(query).one_or_none() if email else None
            if row is None or not row.oidc:
                msg = (
                    f"Le compte {email or '(sans e-mail)'} n'est pas modérateur. Un opérateur "
                    f"l'ajoute sur le serveur : python -m geo moderators add {email or 'E-MAIL'} "
                    "--oidc [--scope NIVEAU:CODE …]."
                )
                raise LoginError(msg)
            connection.execute(
                moderators.update().where(moderators.c.id == row.id)
                .values(last_login_at=self.clock())
            )  # fmt: skip
            return self._open_session(connection, row.id, row.name)

        return run_with_retry(self.engine, work, write=True)

    def log_out(self, moderator: Moderator) -> None:
        token = hash_token(str(moderator.session))
        run_with_retry(
            self.engine,
            lambda c: c.execute(
                moderator_sessions.delete().where(moderator_sessions.c.token_hash == token)
            ),
            write=True,
        )

    def check(self, connection: Connection, moderator: object) -> Checked:
        """Inside a transaction: the session is known and not expired (its expiry slides),
        and the account's scopes now; else a French :class:`EditDeniedError`."""
        if not isinstance(moderator, Moderator) or not isinstance(moderator.session, str):
            msg = "Cette action est réservée aux modérateurs connectés."
            raise EditDeniedError(msg)
        token = hash_token(moderator.session)
        query = (
            sa.select(moderator_sessions.c.expires_at, moderators.c.id, moderators.c.name)
            .join(moderators, moderators.c.id == moderator_sessions.c.moderator_id)
            .where(moderator_sessions.c.token_hash == token)
        )
        row = connection.execute(query).one_or_none()
        if row is None or row.name != moderator.name:
            raise EditDeniedError(UNKNOWN_SESSION)
        now = self.clock()
        if _aware(row.expires_at) <= now:  # type: ignore[operator]
            # (Left in the table: the next login of this account removes expired sessions.)
            raise SessionExpiredError(EXPIRED.format(minutes=_minutes(self.session_minutes)))
        connection.execute(
            moderator_sessions.update()
            .where(moderator_sessions.c.token_hash == token)
            .values(expires_at=now + timedelta(minutes=self.session_minutes))
        )
        return Checked(row.id, row.name, _scopes_of(connection, row.id))

    def verify(self, moderator: object) -> Checked:
        """:meth:`check` in a transaction of its own (the page's "still logged in?")."""
        return run_with_retry(self.engine, lambda c: self.check(c, moderator), write=True)

    # --- internals -----------------------------------------------------------------------------

    def _open_session(self, connection: Connection, account: int, name: str) -> Moderator:
        token = secrets.token_urlsafe(32)
        now = self.clock()
        connection.execute(
            moderator_sessions.delete().where(
                moderator_sessions.c.moderator_id == account, moderator_sessions.c.expires_at < now
            )
        )
        connection.execute(
            moderator_sessions.insert().values(
                token_hash=hash_token(token), moderator_id=account, created_at=now,
                expires_at=now + timedelta(minutes=self.session_minutes),
            )
        )  # fmt: skip
        return Moderator(name, token)

    def _failed(self, account: int) -> None:
        def work(connection: Connection) -> None:
            failures = (
                connection.execute(
                    sa.select(moderators.c.failed_logins).where(moderators.c.id == account)
                ).scalar_one()
                + 1
            )
            delay = lock_delay(failures)
            until = self.clock() + timedelta(seconds=delay) if delay else None
            connection.execute(
                moderators.update().where(moderators.c.id == account)
                .values(failed_logins=failures, locked_until=until)
            )  # fmt: skip

        run_with_retry(self.engine, work, write=True)


class SessionExpiredError(EditDeniedError):
    """The moderator's session ended after too long without an action."""


def _minutes(value: float) -> str:
    return f"{value:g} minute{'s' if value >= 2 else ''}"


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher().verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _require_operator(operator: object) -> None:
    if not isinstance(operator, Operator):
        msg = "Seul un opérateur (commande sur le serveur) gère les comptes de modération."
        raise EditDeniedError(msg)


def _check_name(name: str) -> str:
    name = str(name or "").strip()
    if not _NAME.fullmatch(name):
        msg = (
            f"Nom de modérateur invalide : {name!r} (2 à 200 lettres, chiffres ou . _ @ + -, "
            "sans espace)."
        )
        raise ModerationError(msg)
    return name


def _unique_scopes(scopes: Iterable[TerritoryRef]) -> list[TerritoryRef]:
    return list(dict.fromkeys(scopes))


def _account_id(connection: Connection, name: str) -> int | None:
    query = sa.select(moderators.c.id).where(moderators.c.name == str(name).strip())
    return connection.execute(query).scalar_one_or_none()


def _require_account(connection: Connection, name: str) -> int:
    account = _account_id(connection, name)
    if account is None:
        msg = (
            f"Aucun modérateur ne s'appelle {str(name).strip()!r} (python -m geo moderators list)."
        )
        raise ModerationError(msg)
    return account


def _write_scopes(connection: Connection, account: int, scopes: list[TerritoryRef]) -> None:
    if scopes:
        connection.execute(
            moderator_scopes.insert(),
            [{"moderator_id": account, "level": s.level, "code": s.code} for s in scopes],
        )


def _scopes_of(connection: Connection, account: int) -> tuple[TerritoryRef, ...]:
    query = (
        sa.select(moderator_scopes.c.level, moderator_scopes.c.code)
        .where(moderator_scopes.c.moderator_id == account)
        .order_by(moderator_scopes.c.level, moderator_scopes.c.code)
    )
    return tuple(TerritoryRef(r.level, r.code) for r in connection.execute(query))
