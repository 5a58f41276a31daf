"""Moderation: moderator accounts with scopes and sessions, pending revisions of published
projects, visitors' reports, projects hidden by reports or merged into another, a note (the
reason of a decision) on audit entries.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TERRITORY = [
    ("code_commune", 5),
    ("code_epci", 9),
    ("code_departement", 3),
    ("code_region", 3),
]


def upgrade() -> None:
    op.create_table(
        "moderators",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200)),
        sa.Column("oidc", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.Column("last_login_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "moderator_scopes",
        sa.Column(
            "moderator_id",
            sa.Integer,
            sa.ForeignKey("moderators.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("level", sa.String(20), primary_key=True),
        sa.Column("code", sa.String(9), primary_key=True),
    )
    op.create_table(
        "moderator_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "moderator_id",
            sa.Integer,
            sa.ForeignKey("moderators.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_moderator_sessions_moderator", "moderator_sessions", ["moderator_id"])
    op.create_table(
        "project_revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "project_id",
            sa.Integer,
            sa.ForeignKey("projects.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("data", sa.JSON, nullable=False),
        *[sa.Column(name, sa.String(size)) for name, size in _TERRITORY],
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decided_by", sa.String(200)),
        sa.Column("reason", sa.Text),
    )
    op.create_index("ix_project_revisions_state", "project_revisions", ["state", "project_id"])
    op.create_table(
        "project_reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "project_id",
            sa.Integer,
            sa.ForeignKey("projects.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("reporter", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True)),
        sa.Column("resolved_by", sa.String(200)),
    )
    op.create_index("ix_project_reports_open", "project_reports", ["project_id", "resolved_at"])
    # Plain ADD COLUMN (no table rebuild on SQLite: the text index triggers stay).
    op.add_column(
        "projects", sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false())
    )
    op.add_column("projects", sa.Column("merged_into", sa.Integer))
    op.add_column("audit_log", sa.Column("note", sa.Text))
    # The inbox's "oldest first" and the hourly submission limit read the log by time.
    op.create_index("ix_audit_log_action_at", "audit_log", ["action", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_action_at", "audit_log")
    op.drop_column("audit_log", "note")
    op.drop_column("projects", "merged_into")
    op.drop_column("projects", "hidden")
    op.drop_table("project_reports")
    op.drop_table("project_revisions")
    op.drop_table("moderator_sessions")
    op.drop_table("moderator_scopes")
    op.drop_table("moderators")
