"""Users and items.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than imported, so this revision keeps meaning what it meant when written.
ID = sa.BigInteger().with_variant(
    sa.Integer(), "sqlite"
)  # SQLite's INTEGER PRIMARY KEY is the rowid
MONEY = sa.Numeric(12, 2).with_variant(sa.BigInteger(), "sqlite")  # SQLite stores whole cents
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", ID, nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("username", sa.String(32), nullable=False),
        sa.Column("hashed_password", sa.String(255), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_superuser", sa.Boolean(), nullable=False),
        sa.Column("token_version", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sqlite_autoincrement=True,
    )
    op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True)
    op.create_index("uq_users_username_lower", "users", [sa.text("lower(username)")], unique=True)

    op.create_table(
        "items",
        sa.Column("id", ID, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("title_search", sa.Text(), nullable=False),
        sa.Column("description", sa.String(2000), nullable=True),
        sa.Column("price", MONEY, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_items"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_items_user_id_users", ondelete="CASCADE"
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_items_newest", "items", [sa.text("created_at DESC"), sa.text("id DESC")])
    op.create_index(
        "ix_items_owner_newest",
        "items",
        ["user_id", sa.text("created_at DESC"), sa.text("id DESC")],
    )
    op.create_index("ix_items_price", "items", ["price"])


def downgrade() -> None:
    op.drop_index("ix_items_price", table_name="items")
    op.drop_index("ix_items_owner_newest", table_name="items")
    op.drop_index("ix_items_newest", table_name="items")
    op.drop_table("items")
    op.drop_index("uq_users_username_lower", table_name="users")
    op.drop_index("uq_users_email_lower", table_name="users")
    op.drop_table("users")
