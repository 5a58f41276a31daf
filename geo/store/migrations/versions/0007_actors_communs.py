"""People and process: actors, communs, their links to projects, lessons learned.

``projects`` gains ``partners``, ``commons_produced`` and ``lessons`` (JSON lists, empty for
the projects stored before); ``audit_log`` gains ``subject`` (``actor:12``, ``commun:3``: what
a write changed when it is not a project). New tables: ``actors`` and the folded names they
are known by (``actor_names``), pairs told apart (``actor_distinct``), ``project_actors``
(carrier or partner), ``communs``, ``commun_maintainers``, ``project_commons`` (the folded
URLs of the communs a project reuses or produced). Every new table but ``actor_distinct``
moves the data version (triggers, as 0005).

The carriers of the projects already stored are matched into actors here — one actor per
SIREN, else per folded name (case, accents and punctuation ignored) — with a frozen copy of
the folding, so that this revision does the same whatever later code does; their commons URLs
become ``project_commons`` rows.

Revision ID: 0007
Revises: 0006
Create Date: 2027-01-15
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_VERSIONED = ("actors", "actor_names", "project_actors", "communs", "commun_maintainers",
              "project_commons")  # fmt: skip
_LISTS = ("partners", "commons_produced", "lessons")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text))
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_text).split())


def _url_key(url: str) -> str:
    text = str(url or "").strip()
    parts = urlsplit(text if "://" in text else f"https://{text}")
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit(("", host, parts.path.rstrip("/"), parts.query, ""))[2:]


def upgrade() -> None:
    connection = op.get_bind()
    postgresql = connection.dialect.name == "postgresql"
    for name in _LISTS:
        op.add_column(
            "projects", sa.Column(name, sa.JSON, nullable=False, server_default=sa.text("'[]'"))
        )
    op.add_column("audit_log", sa.Column("subject", sa.String(40)))

    def dates() -> list[sa.Column]:
        return [
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        ]

    actors = op.create_table(
        "actors",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("type", sa.String(30), nullable=False),
        sa.Column("siren", sa.String(9)),
        sa.Column("website", sa.String(2000)),
        sa.Column("seat", sa.String(20)),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("vetted", sa.Boolean, nullable=False, server_default=sa.false()),
        *dates(),
        sa.UniqueConstraint("siren", name="uq_actors_siren"),
    )
    op.create_index("ix_actors_name_key", "actors", ["name_key"])
    names = op.create_table(
        "actor_names",
        sa.Column(
            "actor_id", sa.Integer, sa.ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("name_key", sa.String(200), primary_key=True),
    )
    op.create_index("ix_actor_names_name_key", "actor_names", ["name_key"])
    op.create_table(
        "actor_distinct",
        sa.Column(
            "first_id", sa.Integer, sa.ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "second_id",
            sa.Integer,
            sa.ForeignKey("actors.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    links = op.create_table(
        "project_actors",
        sa.Column(
            "project_id",
            sa.Integer,
            sa.ForeignKey("projects.id", ondelete="CASCADE"),
            primary_key=True,
        ),  # fmt: skip
        sa.Column(
            "actor_id", sa.Integer, sa.ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("role", sa.String(10), primary_key=True),
    )
    op.create_index("ix_project_actors_actor_id", "project_actors", ["actor_id"])
    op.create_table(
        "communs",
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
        sa.Column("url_key", sa.String(2000)),
        sa.Column("page_key", sa.String(2000)),
        *dates(),
    )
    op.create_index("ix_communs_url_key", "communs", ["url_key"])
    op.create_index("ix_communs_page_key", "communs", ["page_key"])
    op.create_table(
        "commun_maintainers",
        sa.Column(
            "commun_id",
            sa.Integer,
            sa.ForeignKey("communs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "actor_id", sa.Integer, sa.ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True
        ),
    )
    op.create_index("ix_commun_maintainers_actor_id", "commun_maintainers", ["actor_id"])
    commons = op.create_table(
        "project_commons",
        sa.Column(
            "project_id",
            sa.Integer,
            sa.ForeignKey("projects.id", ondelete="CASCADE"),
            primary_key=True,
        ),  # fmt: skip
        sa.Column("relation", sa.String(10), primary_key=True),
        sa.Column("url_key", sa.String(2000), primary_key=True),
    )
    op.create_index("ix_project_commons_url_key", "project_commons", ["url_key"])

    for table in _VERSIONED:
        if postgresql:
            connection.exec_driver_sql(
                f"CREATE CONSTRAINT TRIGGER {table}_store_version AFTER INSERT OR UPDATE "
                f"OR DELETE ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION geo_bump_store_version()"
            )
            connection.exec_driver_sql(
                f"CREATE TRIGGER {table}_store_version_truncate AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION geo_bump_store_version()"
            )
        else:
            for event in ("insert", "update", "delete"):
                connection.exec_driver_sql(
                    f"CREATE TRIGGER {table}_store_version_{event} AFTER {event.upper()} "
                    f"ON {table} BEGIN "
                    "UPDATE store_version SET version = version + 1 WHERE id = 1; END"
                )
    _backfill(connection, actors, names, links, commons)


def _backfill(
    connection: sa.Connection,
    actors: sa.Table,
    names: sa.Table,
    links: sa.Table,
    commons: sa.Table,
) -> None:
    stored = sa.table(
        "projects", sa.column("id", sa.Integer), sa.column("carriers", sa.JSON),
        sa.column("commons", sa.JSON),
    )  # fmt: skip
    now = datetime.now(UTC)
    known: dict[str, int] = {}
    link_rows: set[tuple[int, int]] = set()
    common_rows: set[tuple[int, str]] = set()
    for pid, carriers, urls in connection.execute(sa.select(stored).order_by(stored.c.id)):
        for carrier in carriers or []:
            name = str(carrier.get("name") or "").strip()
            key = _fold(name)
            if not key:
                continue
            if key not in known:
                record = {"name": name[:200], "type": str(carrier.get("type") or "association"),
                          "name_key": key[:200], "vetted": False, "created_at": now,
                          "updated_at": now}  # fmt: skip
                known[key] = connection.execute(
                    actors.insert().values(record).returning(actors.c.id)
                ).scalar_one()
                connection.execute(names.insert().values(actor_id=known[key], name_key=key[:200]))
            link_rows.add((pid, known[key]))
        for url in urls or []:
            if _url_key(url):
                common_rows.add((pid, _url_key(url)))
    if link_rows:
        connection.execute(
            links.insert(),
            [{"project_id": p, "actor_id": a, "role": "carrier"} for p, a in sorted(link_rows)],
        )
    if common_rows:
        connection.execute(
            commons.insert(),
            [{"project_id": p, "relation": "reuses", "url_key": k} for p, k in sorted(common_rows)],
        )


def downgrade() -> None:
    connection = op.get_bind()
    postgresql = connection.dialect.name == "postgresql"
    for table in _VERSIONED:
        if postgresql:
            for name in (f"{table}_store_version", f"{table}_store_version_truncate"):
                connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        else:
            for event in ("insert", "update", "delete"):
                connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_store_version_{event}")
    for table in ("project_commons", "commun_maintainers", "communs", "project_actors",
                  "actor_distinct", "actor_names", "actors"):  # fmt: skip
        op.drop_table(table)
    # Plain ALTER TABLE on both engines (SQLite ≥ 3.35): rebuilding the projects table would
    # drop its triggers.
    connection.exec_driver_sql("ALTER TABLE audit_log DROP COLUMN subject")
    for name in _LISTS:
        connection.exec_driver_sql(f"ALTER TABLE projects DROP COLUMN {name}")
