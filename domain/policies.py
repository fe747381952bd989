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


def may_manage_sessions_of_others(actor: User) -> bool:
    """Seeing and ending another user's sessions (a stolen account's, say) is administration;
    everyone manages their own through /users/me/sessions."""
    return actor.is_superuser


def must_confirm_with_password(actor: User, user_id: int) -> bool:
    """Changing one's own password or email needs the current password, so a stolen token
    cannot take the account over; a superuser acting on another account does not."""
    return actor.id == user_id


def keeps_a_superuser(before: User, after: User | None, other_active_superusers: int) -> bool:
    """The last active superuser cannot be deactivated, demoted or deleted: someone must be
    left to administer. `after` is None for a deletion."""
    was_one = before.is_active and before.is_superuser
    still_one = after is not None and after.is_active and after.is_superuser
    return not was_one or still_one or other_active_superusers > 0


def may_manage_item(actor: User, item: Item) -> bool:
    """Changing and deleting an item: its owner, or a superuser."""
    return actor.is_superuser or actor.id == item.owner_id


def may_write_items(actor: User, *, require_verified_email: bool) -> bool:
    """Publishing, changing and removing items; an operator may demand a verified address
    first (`ITEMHUB_REQUIRE_VERIFIED_EMAIL`), so throw-away addresses cannot publish."""
    return actor.email_verified or not require_verified_email
