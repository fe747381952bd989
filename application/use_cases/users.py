"""Registering, reading, changing and deleting user accounts."""

from __future__ import annotations

from dataclasses import dataclass, field

from application.errors import SuperuserIdentityConflict
from application.paging import Page, PageRequest, UserPosition, build_page
from application.partial import UNSET, Unset
from application.ports import Clock, PasswordHasher, UnitOfWorkFactory, UserQueries
from domain import policies
from domain.errors import NotAllowed, UserNotFound, WrongCurrentPassword
from domain.user import User
from domain.values import Email, PlainPassword, Username


@dataclass(frozen=True, slots=True)
class Registration:
    email: Email
    username: Username
    password: PlainPassword


class RegisterUser:
    """Create an active, ordinary account.

    Raises EmailAlreadyRegistered or UsernameTaken (both case-insensitive), also when another
    registration wins a race for the same email or username.
    """

    def __init__(self, uow: UnitOfWorkFactory, hasher: PasswordHasher, clock: Clock) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock

    async def __call__(self, registration: Registration, *, superuser: bool = False) -> User:
        # Hashed first, outside the transaction, so no database connection waits on bcrypt.
        hashed = await self._hasher.hash(registration.password.value)
        new = User.register(
            registration.email,
            registration.username,
            hashed,
            self._clock.now(),
            superuser=superuser,
        )
        async with self._uow() as uow:
            user = await uow.users.add(new)
            await uow.commit()
        return user


class GetUser:
    """Read one account: one's own, or any as a superuser.

    Raises NotAllowed for another user's account whether or not it exists (so ordinary users
    cannot probe ids), and UserNotFound for a superuser asking for a missing id.
    """

    def __init__(self, users: UserQueries) -> None:
        self._users = users

    async def __call__(self, actor: User, user_id: int) -> User:
        if not policies.may_manage_user(actor, user_id):
            raise NotAllowed("view another user's account")
        user = await self._users.get(user_id)
        if user is None:
            raise UserNotFound(user_id)
        return user


def _position(user: User) -> UserPosition:
    return UserPosition(user.id)


class ListUsers:
    """A page of accounts by id ascending; superusers only (NotAllowed otherwise)."""

    def __init__(self, users: UserQueries) -> None:
        self._users = users

    async def __call__(
        self, actor: User, page: PageRequest[UserPosition]
    ) -> Page[User, UserPosition]:
        if not policies.may_list_users(actor):
            raise NotAllowed("list users")
        rows = await self._users.page(after=page.after, offset=page.offset, limit=page.limit + 1)
        return build_page(rows, page.limit, _position)


@dataclass(frozen=True, slots=True)
class UserChanges:
    """A partial update: UNSET fields stay as they are."""

    email: Email | Unset = UNSET
    username: Username | Unset = UNSET
    password: PlainPassword | Unset = UNSET
    current_password: str | None = field(default=None, repr=False)
    is_active: bool | Unset = UNSET
    is_superuser: bool | Unset = UNSET

    @property
    def touches_account_flags(self) -> bool:
        return self.is_active is not UNSET or self.is_superuser is not UNSET


class UpdateUser:
    """Change an account: one's own, or any as a superuser.

    Rules, in the order they are checked:
    - another user's account: NotAllowed (before any look-up, as in GetUser);
    - sending is_active or is_superuser without being a superuser: NotAllowed;
    - a new password for one's own account needs the right current_password
      (WrongCurrentPassword); a superuser resetting someone else's does not;
    - a missing account: UserNotFound; a taken email or username: EmailAlreadyRegistered or
      UsernameTaken;
    - a password change revokes every token issued before it.
    """

    def __init__(self, uow: UnitOfWorkFactory, hasher: PasswordHasher, clock: Clock) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock

    async def __call__(self, actor: User, user_id: int, changes: UserChanges) -> User:
        if not policies.may_manage_user(actor, user_id):
            raise NotAllowed("change another user's account")
        if changes.touches_account_flags and not policies.may_set_account_flags(actor):
            raise NotAllowed("change is_active or is_superuser")
        new_hash = await self._hash_new_password(actor, user_id, changes)
        async with self._uow() as uow:
            user = await uow.users.get(user_id)
            if user is None:
                raise UserNotFound(user_id)
            self._apply(user, changes, new_hash)
            await uow.users.update(user)
            await uow.commit()
        return user

    async def _hash_new_password(
        self, actor: User, user_id: int, changes: UserChanges
    ) -> str | None:
        """Hash before the transaction opens, so no database connection waits on bcrypt."""
        if isinstance(changes.password, Unset):
            return None
        if policies.must_confirm_password_change(actor, user_id):
            current = changes.current_password
            if current is None or not await self._hasher.verify(current, actor.hashed_password):
                raise WrongCurrentPassword
        return await self._hasher.hash(changes.password.value)

    def _apply(self, user: User, changes: UserChanges, new_hash: str | None) -> None:
        now = self._clock.now()
        if not isinstance(changes.email, Unset):
            user.change_email(changes.email, now)
        if not isinstance(changes.username, Unset):
            user.rename(changes.username, now)
        if new_hash is not None:
            user.change_password(new_hash, now)
        if not isinstance(changes.is_active, Unset):
            user.set_active(changes.is_active, now)
        if not isinstance(changes.is_superuser, Unset):
            user.set_superuser(changes.is_superuser, now)


async def _delete_account(uow_factory: UnitOfWorkFactory, user_id: int) -> None:
    async with uow_factory() as uow:
        if await uow.users.get(user_id) is None:
            raise UserNotFound(user_id)
        await uow.users.delete(user_id)
        await uow.commit()


class DeleteOwnAccount:
    """Delete the caller's own account; their items go with it."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, actor: User) -> None:
        await _delete_account(self._uow, actor.id)


class DeleteUser:
    """Delete any account by id, with its items: superusers only (NotAllowed); UserNotFound."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, actor: User, user_id: int) -> None:
        if not policies.may_delete_user(actor):
            raise NotAllowed("delete users")
        await _delete_account(self._uow, user_id)


@dataclass(frozen=True, slots=True)
class SuperuserResult:
    user: User
    created: bool


class CreateOrPromoteSuperuser:
    """Make sure an active superuser with this email and username exists (the operator's command).

    Rules: when neither exists, create the account with the password; when both name the same
    account, make it an active superuser and leave its password alone; when only one exists, or
    they belong to two accounts, raise SuperuserIdentityConflict rather than guess.
    """

    def __init__(self, uow: UnitOfWorkFactory, register: RegisterUser, clock: Clock) -> None:
        self._uow = uow
        self._register = register
        self._clock = clock

    async def __call__(self, registration: Registration) -> SuperuserResult:
        async with self._uow() as uow:
            by_email = await uow.users.get_by_email(registration.email)
            by_username = await uow.users.get_by_username(registration.username)
            if by_email is not None and by_username is not None and by_email.id == by_username.id:
                now = self._clock.now()
                by_email.set_superuser(True, now)
                by_email.set_active(True, now)
                await uow.users.update(by_email)
                await uow.commit()
                return SuperuserResult(user=by_email, created=False)
        if by_email is not None:
            raise SuperuserIdentityConflict(
                f"{registration.email} is registered with the username {by_email.username}"
            )
        if by_username is not None:
            raise SuperuserIdentityConflict(
                f"The username {registration.username} belongs to {by_username.email}"
            )
        user = await self._register(registration, superuser=True)
        return SuperuserResult(user=user, created=True)
