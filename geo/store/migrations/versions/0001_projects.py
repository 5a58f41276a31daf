"""Projects and their audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projects",
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
        sa.UniqueConstraint("source", "external_id", name="uq_projects_source_external_id"),
    )
    # Territory filters usually come with a status filter (publie on public pages).
    for level in ("commune", "epci", "departement", "region"):
        op.create_index(f"ix_projects_{level}_status", "projects", [f"code_{level}", "status"])
    op.create_index("ix_projects_status", "projects", ["status"])
    op.create_index("ix_projects_lat_lon", "projects", ["lat", "lon"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id", ondelete="SET NULL")),
        sa.Column("before", sa.JSON),
        sa.Column("after", sa.JSON),
    )
    op.create_index("ix_audit_log_project_id", "audit_log", ["project_id"])


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("projects")
