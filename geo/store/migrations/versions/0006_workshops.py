"""Tours and workshops: facilitators' tours of saved views (stops), workshop sessions with a
short code, participants' contributions numbered in their session; the tour an audit entry is
about.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tours",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("territory", sa.String(20)),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("copied_from", sa.Integer),
    )
    op.create_table(
        "tour_stops",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "tour_id", sa.Integer, sa.ForeignKey("tours.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_tour_stops_tour", "tour_stops", ["tour_id", "position"])
    op.create_table(
        "workshop_sessions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(6), nullable=False, unique=True),
        sa.Column(
            "tour_id", sa.Integer, sa.ForeignKey("tours.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("territory", sa.String(20), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("per_minute", sa.Integer, nullable=False),
        sa.Column("cap", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "workshop_contributions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("workshop_sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id", ondelete="SET NULL")),
        sa.Column("participant", sa.String(64), nullable=False),
        sa.Column("name", sa.String(80)),
        sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handed_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("session_id", "number", name="uq_workshop_contributions_number"),
    )
    op.create_index(
        "ix_workshop_contributions_version", "workshop_contributions", ["session_id", "version"]
    )
    op.create_index("ix_workshop_contributions_project", "workshop_contributions", ["project_id"])
    # Plain ADD COLUMN (no table rebuild on SQLite).
    op.add_column("audit_log", sa.Column("tour_id", sa.Integer))
    op.create_index("ix_audit_log_tour", "audit_log", ["tour_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_tour", "audit_log")
    op.drop_column("audit_log", "tour_id")
    op.drop_table("workshop_contributions")
    op.drop_table("workshop_sessions")
    op.drop_table("tour_stops")
    op.drop_table("tours")
