"""Sessions and refresh tokens; the token version they replace.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than imported, so this revision keeps meaning what it meant when written.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
SESSION_ID = sa.String(22).with_variant(sa.String(22, collation="C"), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", SESSION_ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("last_used_at", TIMESTAMP, nullable=False),
        sa.Column("idle_expires_at", TIMESTAMP, nullable=False),
        sa.Column("absolute_expires_at", TIMESTAMP, nullable=False),
        sa.Column("user_agent", sa.String(200), nullable=True),
        sa.Column("ip_address", sa.String(64), nullable=True),
        sa.Column("ended_at", TIMESTAMP, nullable=True),
        sa.Column("end_reason", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_sessions_user_id_users", ondelete="CASCADE"
        ),
    )
    op.create_index(
        "ix_sessions_user_newest",
        "sessions",
        ["user_id", sa.text("created_at DESC"), sa.text("id DESC")],
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("session_id", SESSION_ID, nullable=False),
        sa.Column("issued_at", TIMESTAMP, nullable=False),
        sa.Column("used_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("digest", name="pk_refresh_tokens"),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name="fk_refresh_tokens_session_id_sessions",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_refresh_tokens_session_id", "refresh_tokens", ["session_id"])
    # Sessions revoke tokens now; every access token from before this revision lacks the
    # session claim and is refused, so nothing reads the version any more.
    op.drop_column("users", "token_version")


def downgrade() -> None:
    op.add_column(
        "users",
        sa.Column("token_version", sa.Integer(), nullable=False, server_default="0"),
    )
    op.drop_index("ix_refresh_tokens_session_id", table_name="refresh_tokens")
    op.drop_table("refresh_tokens")
    op.drop_index("ix_sessions_user_newest", table_name="sessions")
    op.drop_table("sessions")
