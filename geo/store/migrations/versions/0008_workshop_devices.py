"""The workshop room's phones: a server secret to sign their device cookies, and the devices a
facilitator blocked in a session.

``app_secrets`` holds secrets the app makes for itself the first time it needs one (a row per
name, e.g. ``atelier_appareil``, the HMAC key of the participants' device cookies), so that
every process of a deployment signs and checks with the same key. ``workshop_blocks`` holds a
session's blocked participants (the sha256 of the device key, as
``workshop_contributions.participant``): their further ideas are refused. Neither table moves
the data version (no cached reader reads them).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_secrets",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("value", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "workshop_blocks",
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("workshop_sessions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("participant", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("workshop_blocks")
    op.drop_table("app_secrets")
