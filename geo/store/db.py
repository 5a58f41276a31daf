"""Database plumbing of the project store: tables, engine, transactions, retries, migrations.

The same code serves SQLite (the default file ``GEO_DATA_DIR/projets.sqlite``) and PostgreSQL
with PostGIS (``DATABASE_URL=postgresql+psycopg://…``). The tables below are the same on both:
a point is a lat/lon pair, an area GeoJSON text, text search compares a normalised column with
``LIKE``. On PostgreSQL the database also derives geometry columns from them (``geom``,
``area_geom``, GiST-indexed; migration 0005), which :mod:`geo.store.spatial` queries.

``store_version`` holds the store's data version: every transaction that changes one of
:data:`VERSIONED_TABLES` increases it (database triggers, whoever writes), so a process may
keep what it read while :func:`data_version` stays the same (:mod:`geo.store.cache`).

SQLite connections get WAL, a busy timeout and foreign keys in a connect event; the driver's
own transaction handling is switched off so that writes start with ``BEGIN IMMEDIATE`` (the
write lock is taken first, so two writers never deadlock half-way) and reads with ``BEGIN``.
:func:`run_with_retry` retries a whole transaction on SQLITE_BUSY (and PostgreSQL
serialisation failures) with jittered backoff, so no caller ever sees "database is locked".

Migrations are Alembic revisions shipped in :mod:`geo.store.migrations`, applied by :func:`migrate`
at start inside one write transaction (SQLite) or under an advisory lock (PostgreSQL): of two
processes starting at once, the second waits, then finds the schema already at head.
"""

from __future__ import annotations

import json
import logging
import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError

from geo.errors import GeoError, StoreError
from geo.settings import Settings, get_settings

T = TypeVar("T")
log = logging.getLogger(__name__)

metadata = sa.MetaData()

#: Current schema (head revision); the migrations in geo/migrations/versions build exactly this.
projects = sa.Table(
    "projects",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("title", sa.String(120), nullable=False),
    sa.Column("summary", sa.String(280), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("themes", sa.JSON, nullable=False),
    sa.Column("categories", sa.JSON, nullable=False),
    sa.Column("stage", sa.String(20), nullable=False),
    sa.Column("carriers", sa.JSON, nullable=False),
    sa.Column("website", sa.String(2000)),
    sa.Column("contact_email", sa.String(254)),
    sa.Column("commons", sa.JSON, nullable=False),
    sa.Column("licence", sa.String(100)),
    sa.Column("start_year", sa.Integer),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("location_approximate", sa.Boolean, nullable=False),
    sa.Column("address", sa.String(300)),
    sa.Column("area", sa.Text),
    sa.Column("scope", sa.String(20)),
    sa.Column("power_kwc", sa.Float),
    sa.Column("energy_mwh_year", sa.Float),
    sa.Column("charging_points", sa.Integer),
    sa.Column("citizen_shareholders", sa.Integer),
    sa.Column("budget_eur", sa.Float),
    sa.Column("code_commune", sa.String(5)),
    sa.Column("code_epci", sa.String(9)),
    sa.Column("code_departement", sa.String(3)),
    sa.Column("code_region", sa.String(3)),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_confirmed_at", sa.DateTime(timezone=True)),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("external_id", sa.String(200)),
    sa.Column("token_hash", sa.String(64), nullable=False),
    sa.Column("search_text", sa.Text, nullable=False),
    # Moderation (0004): hidden by visitors' reports until a moderator decides; archived as a
    # duplicate of another project.
    sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("merged_into", sa.Integer),
    # People and process (0007): partners, communs produced, lessons learned.
    sa.Column("partners", sa.JSON, nullable=False),
    sa.Column("commons_produced", sa.JSON, nullable=False),
    sa.Column("lessons", sa.JSON, nullable=False),
)

project_themes = sa.Table(
    "project_themes",
    metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme", sa.String(20), primary_key=True),
)

project_categories = sa.Table(
    "project_categories",
    metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("category", sa.String(40), primary_key=True),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(30), nullable=False),
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="SET NULL")),
    sa.Column("before", sa.JSON),
    sa.Column("after", sa.JSON),
    sa.Column("note", sa.Text),  # the reason a moderator gave
    # Tours and workshops (0006): the tour an entry is about (no foreign key: the history of
    # a deleted tour stays).
    sa.Column("tour_id", sa.Integer),
    # What else was written (0007): "actor:12", "commun:3"; project_id is then null.
    sa.Column("subject", sa.String(40)),
)

_TERRITORY_CODES = [("code_commune", 5), ("code_epci", 9), ("code_departement", 3),
                    ("code_region", 3)]  # fmt: skip

moderators = sa.Table(
    "moderators",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(200)),
    sa.Column("oidc", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.DateTime(timezone=True)),
    sa.Column("last_login_at", sa.DateTime(timezone=True)),
)

moderator_scopes = sa.Table(
    "moderator_scopes",
    metadata,
    sa.Column(
        "moderator_id", sa.ForeignKey("moderators.id", ondelete="CASCADE"), primary_key=True
    ),  # fmt: skip
    sa.Column("level", sa.String(20), primary_key=True),
    sa.Column("code", sa.String(9), primary_key=True),
)

moderator_sessions = sa.Table(
    "moderator_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column(
        "moderator_id", sa.ForeignKey("moderators.id", ondelete="CASCADE"), nullable=False
    ),  # fmt: skip
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)

#: A change of a published project waiting for a moderator (``state`` pending), or decided
#: (approved, rejected, superseded by a later change); ``data`` is the whole proposed project.
project_revisions = sa.Table(
    "project_revisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    *[sa.Column(name, sa.String(size)) for name, size in _TERRITORY_CODES],
    sa.Column("state", sa.String(12), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True)),
    sa.Column("decided_by", sa.String(200)),
    sa.Column("reason", sa.Text),
)

project_reports = sa.Table(
    "project_reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("reporter", sa.String(64), nullable=False),  # sha256 of the visitor's key
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("resolved_at", sa.DateTime(timezone=True)),
    sa.Column("resolved_by", sa.String(200)),
)

# --- people and process (0007) ------------------------------------------------------------------

#: Organisations. ``name_key`` is the name folded (:func:`geo.projects.entities.name_key`);
#: ``vetted``: created or confirmed by an operator (else known only from projects' carriers,
#: public once one of those projects is published).
actors = sa.Table(
    "actors",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("type", sa.String(30), nullable=False),
    sa.Column("siren", sa.String(9)),
    sa.Column("website", sa.String(2000)),
    sa.Column("seat", sa.String(20)),
    sa.Column("name_key", sa.String(200), nullable=False, index=True),
    sa.Column("vetted", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("siren", name="uq_actors_siren"),
)

#: Every folded name an actor is known by (its own, and those of actors merged into it).
actor_names = sa.Table(
    "actor_names",
    metadata,
    sa.Column("actor_id", sa.ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("name_key", sa.String(200), primary_key=True, index=True),
)

#: Pairs of actors an operator said are not the same (left out of the duplicates review).
actor_distinct = sa.Table(
    "actor_distinct",
    metadata,
    sa.Column("first_id", sa.ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("second_id", sa.ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True),
)

#: A project's carriers (``role`` carrier) and partners (``partner``), as actors.
project_actors = sa.Table(
    "project_actors",
    metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "actor_id", sa.ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True, index=True
    ),  # fmt: skip
    sa.Column("role", sa.String(10), primary_key=True),
)

communs = sa.Table(
    "communs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("url", sa.String(2000)),
    sa.Column("licence", sa.String(40)),
    sa.Column("summary", sa.String(300), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("themes", sa.JSON, nullable=False),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("external_id", sa.String(2000)),
    # url_key(url) and url_key(external_id): what a project's commons URLs are compared with.
    sa.Column("url_key", sa.String(2000), index=True),
    sa.Column("page_key", sa.String(2000), index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

commun_maintainers = sa.Table(
    "commun_maintainers",
    metadata,
    sa.Column("commun_id", sa.ForeignKey("communs.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "actor_id", sa.ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True, index=True
    ),  # fmt: skip
)

#: The communs a project reuses (``relation`` reuses) or produced (``produces``), by the
#: folded URL it gave; a commun whose URL or page has that key is linked (a join, so that a
#: commun imported after the project is linked at once).
project_commons = sa.Table(
    "project_commons",
    metadata,
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("relation", sa.String(10), primary_key=True),
    sa.Column("url_key", sa.String(2000), primary_key=True, index=True),
)

#: One row (id 1): increased by triggers at every change of the tables below (migration 0005).
store_version = sa.Table(
    "store_version",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.BigInteger, nullable=False),
)

#: The tables whose every change increases ``store_version`` (each has its triggers).
VERSIONED_TABLES = (
    "projects",
    "project_themes",
    "project_categories",
    "actors",
    "actor_names",
    "project_actors",
    "communs",
    "commun_maintainers",
    "project_commons",
)

# --- tours and workshops (0006, geo.store.tours and geo.store.workshops) -----------------------

#: A facilitator's tour ("parcours"): stops shown one at a time; ``status`` ``brouillon``
#: (its author and moderators only) or ``publie`` (anyone with its link may present it).
tours = sa.Table(
    "tours",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("title", sa.String(120), nullable=False),
    sa.Column("territory", sa.String(20)),  # "level:code"
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("copied_from", sa.Integer),
)

#: One saved view: ``kind`` ``explorer`` or ``portrait``, its URL parameters, a title, a note.
tour_stops = sa.Table(
    "tour_stops",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tour_id", sa.ForeignKey("tours.id", ondelete="CASCADE"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("title", sa.String(120), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_tour_stops_tour", "tour_id", "position"),
)

#: A workshop session of a tour: its short code, territory, state and limits; ``version``
#: grows at every change of its contributions (what the room's screen polls for).
workshop_sessions = sa.Table(
    "workshop_sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("code", sa.String(6), nullable=False, unique=True),
    sa.Column("tour_id", sa.ForeignKey("tours.id", ondelete="CASCADE"), nullable=False),
    sa.Column("territory", sa.String(20), nullable=False),
    sa.Column("title", sa.String(120), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("per_minute", sa.Integer, nullable=False),
    sa.Column("cap", sa.Integer, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
)

#: A participant's idea: a proposed project (``status`` ``propose``) numbered in its session,
#: hidden from the room or not, handed to moderation or still in the room.
workshop_contributions = sa.Table(
    "workshop_contributions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "session_id", sa.ForeignKey("workshop_sessions.id", ondelete="CASCADE"), nullable=False
    ),  # fmt: skip
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("project_id", sa.ForeignKey("projects.id", ondelete="SET NULL")),
    sa.Column("participant", sa.String(64), nullable=False),  # sha256 of the visitor's key
    sa.Column("name", sa.String(80)),
    sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("handed_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("session_id", "number", name="uq_workshop_contributions_number"),
    sa.Index("ix_workshop_contributions_version", "session_id", "version"),
    sa.Index("ix_workshop_contributions_project", "project_id"),
)

# --- the workshop room's phones (0008, geo.store.workshops) -------------------------------------

#: Secrets the app makes for itself when it first needs one (``atelier_appareil``: the key that
#: signs the participants' device cookies), the same for every process of a deployment.
app_secrets = sa.Table(
    "app_secrets",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("value", sa.String(128), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

#: A session's blocked participants (sha256 of the device key): their further ideas refused.
workshop_blocks = sa.Table(
    "workshop_blocks",
    metadata,
    sa.Column(
        "session_id", sa.ForeignKey("workshop_sessions.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("participant", sa.String(64), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

_MIGRATIONS_LOCK = 7_362_104  # PostgreSQL advisory lock key of the migration runner
_RETRY_SECONDS = 60.0


def database_url(settings: Settings | None = None) -> str:
    """``DATABASE_URL``, else the SQLite file ``GEO_DATA_DIR/projets.sqlite``."""
    settings = settings or get_settings()
    if settings.database_url:
        return settings.database_url
    return f"sqlite:///{Path(settings.data_dir) / 'projets.sqlite'}"


def _json_loads(text: str | bytes) -> Any:
    """orjson's parser, and the standard one for what it refuses (``NaN``, which Python's
    json module writes)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def make_engine(url: str) -> Engine:
    """An engine with the connection set-up this store relies on (see module docstring)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        try:
            # No ping before each use (a round trip per transaction): a connection the server
            # closed (restart, idle timeout) fails its first statement, which is retried on a
            # new one (run_with_retry: connection_invalidated). JSON columns (themes,
            # carriers…) are parsed by orjson: json.loads took a third of a page's client time.
            return sa.create_engine(url, pool_pre_ping=False, json_deserializer=_json_loads)
        except ModuleNotFoundError as error:
            msg = (
                f"Le pilote de base de données de {parsed.drivername} n'est pas installé "
                f"({error.name}) ; pour PostgreSQL : pip install -e '.[postgres]'."
            )
            raise GeoError(msg) from error
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": 30}, json_deserializer=_json_loads)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA foreign_keys = ON")
        _retry_sqlite(lambda: cursor.execute("PRAGMA journal_mode = WAL"))
        cursor.execute("PRAGMA synchronous = NORMAL")  # durable enough with WAL, much faster
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get("geo_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def data_version(connection: Connection) -> int:
    """The store's data version now (see the module docstring)."""
    return int(connection.execute(sa.select(store_version.c.version)).scalar_one())


def _retry_sqlite(action: Callable[[], object]) -> None:
    deadline = time.monotonic() + _RETRY_SECONDS
    for attempt in range(1000):
        try:
            action()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            if time.monotonic() > deadline:
                raise
            time.sleep(_backoff(attempt))


def _backoff(attempt: int) -> float:
    return min(0.5, 0.005 * 2**attempt) * random.uniform(0.5, 1.5)


def is_transient(error: DBAPIError) -> bool:
    """SQLite busy/locked, PostgreSQL serialisation failure or deadlock, a connection the
    server closed: worth a retry."""
    if error.connection_invalidated:
        return True
    original = error.orig
    name = getattr(original, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return True
    text = str(original).lower()
    if "database is locked" in text or "database is busy" in text:
        return True
    return getattr(original, "sqlstate", None) in ("40001", "40P01")


def run_with_retry(engine: Engine, work: Callable[[Connection], T], *, write: bool) -> T:
    """Run ``work`` in one transaction (BEGIN IMMEDIATE for writes), retried when busy.

    A connection lost before the commit is retried on a new one; lost during the commit of a
    write, it is not (the write may have been made: the caller is told it failed, and an
    unacknowledged write may exist, never an acknowledged one lost)."""
    deadline = time.monotonic() + _RETRY_SECONDS
    attempt = 0
    while True:
        committing = False
        try:
            with engine.connect() as connection:
                if write:
                    connection.execution_options(geo_write=True)
                with connection.begin():
                    result = work(connection)
                    committing = True
                return result
        except (OperationalError, DBAPIError) as error:
            if isinstance(error, IntegrityError | ProgrammingError):
                raise  # a constraint or a bug, not a broken store: the caller decides
            lost_commit = committing and write and error.connection_invalidated
            if lost_commit or not is_transient(error) or time.monotonic() > deadline:
                raise store_error(error) from error
            time.sleep(_backoff(attempt))
            attempt += 1


_DAMAGED = ("file is not a database", "disk image is malformed", "malformed database schema",
            "file is encrypted")  # fmt: skip
_FULL = ("database or disk is full", "no space left", "disk quota")
_NO_RIGHTS = ("unable to open database file", "readonly database", "read-only", "permission",
              "not a directory", "file exists")  # fmt: skip


def store_error(error: BaseException) -> StoreError:
    """The French :class:`StoreError` for a database failure (what happened, what to do),
    never naming a path; the detail and its stack go to the server's log."""
    text = str(getattr(error, "orig", None) or error).lower()
    if any(sign in text for sign in _DAMAGED):
        msg = (
            "Le registre des projets est endommagé : son fichier de base de données n'est pas "
            "lisible. Restaurez-le depuis la dernière sauvegarde (ou mettez-le de côté pour "
            "repartir d'un registre vide) ; le détail technique est dans le journal du serveur."
        )
    elif any(sign in text for sign in _FULL):
        msg = (
            "Le registre des projets ne peut plus être écrit : il n'y a plus d'espace libre sur "
            "le disque. Libérez de l'espace puis recommencez ; rien n'a été écrit à moitié."
        )
    elif isinstance(error, OSError) or any(sign in text for sign in _NO_RIGHTS):
        msg = (
            "Le registre des projets ne peut pas être ouvert ou écrit : vérifiez que son "
            "dossier existe et que le serveur a les droits de lecture et d'écriture sur le "
            "fichier et son dossier (GEO_DATA_DIR ou DATABASE_URL)."
        )
    else:
        msg = (
            "Le registre des projets ne répond pas (erreur de la base de données). Réessayez "
            "dans un moment ; si cela dure, le détail technique est dans le journal du serveur."
        )
    log.error("Registre des projets inaccessible : %s", type(error).__name__, exc_info=error)
    return StoreError(msg)


# --- migrations --------------------------------------------------------------------------------


def _alembic_config(connection: Connection):  # noqa: ANN202 - alembic imported lazily
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "geo.store:migrations")
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    from geo.store import migrations

    script = ScriptDirectory(str(Path(migrations.__file__).parent))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _recorded_revision(connection: Connection) -> str | None:
    """The revision in ``alembic_version``, read without Alembic (None when there is none)."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine, revision: str = "head") -> str | None:
    """Upgrade the schema to ``revision``, safely under concurrent starts; the revision now.

    A store already at the head revision is checked with one query: Alembic (a tenth of a
    second to import and scan) is loaded only when there is something to upgrade."""
    from geo.store.migrations import HEAD

    target = HEAD if revision == "head" else revision
    if run_with_retry(engine, _recorded_revision, write=False) == target:
        return target
    from alembic import command

    def upgrade(connection: Connection) -> str | None:
        if not is_sqlite(engine):
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_MIGRATIONS_LOCK)))
        if current_revision(connection) != target:  # another process may have done it
            command.upgrade(_alembic_config(connection), revision)
        return current_revision(connection)

    return run_with_retry(engine, upgrade, write=True)
