"""Who may do what: every permission rule of itemhub in one place, as plain functions.

The actor is always an active, authenticated user; anonymous callers never reach these rules.
"""

from __future__ import annotations

from domain.item import Item
from domain.user import User


def may_manage_user(actor: User, user_id: int) -> bool:
    """Reading and changing an account: the user itself, or a superuser."""
    return actor.is_superuser or actor.id == user_id


def may_set_account_flags(actor: User) -> bool:
    """Activation and superuser status are an administrator's decision, even about oneself."""
    return actor.is_superuser


def may_delete_user(actor: User) -> bool:
    """Deleting an account by id is administration; everyone may delete their own via /me."""
    return actor.is_superuser


def may_list_users(actor: User) -> bool:
    return actor.is_superuser


def must_confirm_password_change(actor: User, user_id: int) -> bool:
    """One's own new password needs the current one; a superuser resetting another's does not."""
    return actor.id == user_id


def may_manage_item(actor: User, item: Item) -> bool:
    """Changing and deleting an item: its owner, or a superuser."""
    return actor.is_superuser or actor.id == item.owner_id
