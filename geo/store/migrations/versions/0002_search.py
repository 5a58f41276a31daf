"""Search: normalised text column, theme and category tables; existing rows back-filled.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import json
import re

import sqlalchemy as sa
from alembic import op
from unidecode import unidecode

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _normalise(text: str) -> str:
    # Frozen copy of geo.text.search_words as of this revision.
    return re.sub(r"[^a-z0-9]+", " ", unidecode(text).lower()).strip()


def _as_list(value: object) -> list:
    return json.loads(value) if isinstance(value, str) else list(value or [])


def upgrade() -> None:
    op.add_column("projects", sa.Column("search_text", sa.Text, nullable=False, server_default=""))
    themes = op.create_table(
        "project_themes",
        sa.Column(
            "project_id",
            sa.Integer,
            sa.ForeignKey("projects.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("theme", sa.String(20), primary_key=True),
    )
    categories = op.create_table(
        "project_categories",
        sa.Column(
            "project_id",
            sa.Integer,
            sa.ForeignKey("projects.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("category", sa.String(40), primary_key=True),
    )
    op.create_index("ix_project_themes_theme", "project_themes", ["theme", "project_id"])
    op.create_index(
        "ix_project_categories_category", "project_categories", ["category", "project_id"]
    )

    connection = op.get_bind()
    projects = sa.table(
        "projects",
        sa.column("id", sa.Integer),
        sa.column("title", sa.String),
        sa.column("summary", sa.String),
        sa.column("carriers", sa.Text),
        sa.column("themes", sa.Text),
        sa.column("categories", sa.Text),
        sa.column("search_text", sa.Text),
    )
    rows = connection.execute(
        sa.select(
            projects.c.id,
            projects.c.title,
            projects.c.summary,
            projects.c.carriers,
            projects.c.themes,
            projects.c.categories,
        )
    ).all()
    texts, theme_rows, category_rows = [], [], []
    for row in rows:
        names = " ".join(str(c.get("name", "")) for c in _as_list(row.carriers))
        texts.append({"pid": row.id, "text": _normalise(f"{row.title} {row.summary} {names}")})
        theme_rows += [{"project_id": row.id, "theme": t} for t in _as_list(row.themes)]
        category_rows += [{"project_id": row.id, "category": c} for c in _as_list(row.categories)]
    if texts:
        connection.execute(
            projects.update()
            .where(projects.c.id == sa.bindparam("pid"))
            .values(search_text=sa.bindparam("text")),
            texts,
        )
    if theme_rows:
        connection.execute(themes.insert(), theme_rows)
    if category_rows:
        connection.execute(categories.insert(), category_rows)


def downgrade() -> None:
    op.drop_table("project_categories")
    op.drop_table("project_themes")
    op.drop_column("projects", "search_text")
