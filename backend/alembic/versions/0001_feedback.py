"""The feedback table, and feedback_meta with a random salt for the client hashes.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("label", sa.SmallInteger(), nullable=True),
        sa.Column("predicted", sa.SmallInteger(), nullable=True),
        sa.Column("model_version", sa.String(128), nullable=False),
        sa.Column("probabilities", sa.JSON(), nullable=True),
        sa.Column("input_image", sa.LargeBinary(), nullable=False),
        sa.Column("image", sa.LargeBinary(), nullable=False),
        sa.Column("strokes", sa.JSON(), nullable=True),
        sa.Column("canvas_width", sa.Integer(), nullable=True),
        sa.Column("canvas_height", sa.Integer(), nullable=True),
        sa.Column("device", sa.String(8), nullable=True),
        sa.CheckConstraint("label IS NULL OR (label >= 0 AND label <= 9)", name="ck_feedback_label"),
    )
    op.create_index("ix_feedback_created_at", "feedback", ["created_at"])
    op.create_index("ix_feedback_client", "feedback", ["client"])
    meta = op.create_table(
        "feedback_meta",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(256), nullable=False),
    )
    op.bulk_insert(meta, [{"name": "client_salt", "value": secrets.token_hex(32)}])


def downgrade() -> None:
    op.drop_table("feedback_meta")
    op.drop_index("ix_feedback_client", table_name="feedback")
    op.drop_index("ix_feedback_created_at", table_name="feedback")
    op.drop_table("feedback")
