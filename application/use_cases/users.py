"""Registering, reading, changing and deleting user accounts."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta

from application import letters
from application.attempts import registration_quota
from application.errors import (
    HashingBusy,
    RecentLoginRequired,
    RegistrationThrottled,
    StorageUnavailable,
    SuperuserIdentityConflict,
)
from application.paging import Page, PageRequest, UserPosition, build_page
from application.partial import UNSET, Unset
from application.ports import (
    AttemptLimiter,
    Clock,
    PasswordHasher,
    UnitOfWork,
    UnitOfWorkFactory,
    UserQueries,
)
from application.use_cases.account_mail import AccountMail
from application.use_cases.auth import Caller
from domain import policies
from domain.errors import LastSuperuser, NotAllowed, UserNotFound, WrongCurrentPassword
from domain.session import ends_sessions
from domain.user import User
from domain.values import Email, PlainPassword, Username


@dataclass(frozen=True, slots=True)
class Registration:
    email: Email
    username: Username
    password: PlainPassword


async def _create_account(
    uow_factory: UnitOfWorkFactory,
    hasher: PasswordHasher,
    clock: Clock,
    registration: Registration,
    *,
    mail: AccountMail | None,
) -> User:
    """An ordinary account that is mailed a verification link (`mail`), or, with `mail=None`,
    a superuser whose address the operator vouches for."""
    # Hashed first, outside the transaction, so no database connection waits on bcrypt.
    hashed = await hasher.hash(registration.password.value)
    superuser = mail is None
    new = User.register(
        registration.email,
        registration.username,
        hashed,
        clock.now(),
        superuser=superuser,
        email_verified=superuser,
    )
    async with uow_factory() as uow:
        user = await uow.users.add(new)
        if mail is not None:
            await mail.send_verification(uow, user, clock)
        await uow.commit()
    return user


class RegisterUser:
    """Create an active, ordinary account, its address not verified yet: a verification link
    is mailed to it in the same transaction.

    Rules:
    - each client may register `per_hour` times in any hour (every attempt that reaches the
      password hashing counts, a conflict included: it cost a hash); past that,
      RegistrationThrottled says how long to wait;
    - EmailAlreadyRegistered or UsernameTaken (both case-insensitive), also when another
      registration wins a race for the same email or username.
    """

    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        hasher: PasswordHasher,
        clock: Clock,
        limiter: AttemptLimiter,
        per_hour: int,
        mail: AccountMail,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock
        self._limiter = limiter
        self._per_hour = per_hour
        self._mail = mail

    async def __call__(self, registration: Registration, client_address: str) -> User:
        attempt = await self._limiter.reserve(registration_quota(client_address, self._per_hour))
        if not attempt.granted:
            raise RegistrationThrottled(attempt.retry_after)
        try:
            return await _create_account(
                self._uow, self._hasher, self._clock, registration, mail=self._mail
            )
        except (HashingBusy, StorageUnavailable):  # nothing was tried: it does not count
            await self._limiter.give_back(attempt)
            raise


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
    - a new password or a new email for one's own account needs the right current_password
      (WrongCurrentPassword), so a stolen token cannot take an account over; a superuser
      changing someone else's does not;
    - a missing account: UserNotFound; a taken email or username: EmailAlreadyRegistered or
      UsernameTaken;
    - deactivating or demoting the last active superuser: LastSuperuser;
    - a password change and a deactivation end every session of the account
      (`domain.session.ends_sessions`): every token issued before them stops working;
    - a new email is unverified: a verification link goes to it; a new email or password is
      told to the address the account had before (a notice, in the same transaction).
    """

    def __init__(
        self, uow: UnitOfWorkFactory, hasher: PasswordHasher, clock: Clock, mail: AccountMail
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock
        self._mail = mail

    async def __call__(self, actor: User, user_id: int, changes: UserChanges) -> User:
        if not policies.may_manage_user(actor, user_id):
            raise NotAllowed("change another user's account")
        if changes.touches_account_flags and not policies.may_set_account_flags(actor):
            raise NotAllowed("change is_active or is_superuser")
        await self._confirm_with_password(actor, user_id, changes)
        # Hashed before the transaction opens, so no database connection waits on bcrypt.
        new_hash = (
            None
            if isinstance(changes.password, Unset)
            else await self._hasher.hash(changes.password.value)
        )
        async with self._uow() as uow:
            superusers = (
                await uow.users.active_superuser_ids() if changes.touches_account_flags else None
            )
            user = await uow.users.get(user_id)
            if user is None:
                raise UserNotFound(user_id)
            before = replace(user)
            self._apply(user, changes, new_hash)
            if superusers is not None:
                _keep_a_superuser(before, user, superusers, "deactivated or demoted")
            await uow.users.update(user)
            if reason := ends_sessions(before, user):
                await uow.sessions.end_all(user.id, user.updated_at, reason)
            await self._mail_about(uow, before, user)
            await uow.commit()
        return user

    async def _mail_about(self, uow: UnitOfWork, before: User, after: User) -> None:
        now = after.updated_at
        if after.email != before.email:
            await self._mail.send_verification(uow, after, self._clock)
            await uow.outbox.add(letters.email_changed(after, before.email, now))
        if after.hashed_password != before.hashed_password:
            await uow.outbox.add(letters.password_changed(replace(after, email=before.email), now))

    async def _confirm_with_password(self, actor: User, user_id: int, changes: UserChanges) -> None:
        new_email = not isinstance(changes.email, Unset) and changes.email != actor.email
        new_password = not isinstance(changes.password, Unset)
        if not (new_email or new_password):
            return
        if policies.must_confirm_with_password(actor, user_id):
            current = changes.current_password
            if current is None or not await self._hasher.verify(current, actor.hashed_password):
                raise WrongCurrentPassword

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


def _keep_a_superuser(before: User, after: User | None, superusers: set[int], done: str) -> None:
    if not policies.keeps_a_superuser(before, after, len(superusers - {before.id})):
        raise LastSuperuser(done)


async def _delete_account(uow_factory: UnitOfWorkFactory, user_id: int) -> None:
    async with uow_factory() as uow:
        superusers = await uow.users.active_superuser_ids()
        user = await uow.users.get(user_id)
        if user is None:
            raise UserNotFound(user_id)
        _keep_a_superuser(user, None, superusers, "deleted")
        await uow.users.delete(user_id)
        await uow.commit()


def _require_recent_login(caller: Caller, clock: Clock, recent: timedelta) -> None:
    if clock.now() - caller.authenticated_at > recent:
        raise RecentLoginRequired(int(recent.total_seconds()))


class DeleteOwnAccount:
    """Delete the caller's own account; their items go with it.

    Rules: the caller must have given their password within `recent_login` (a token alone is
    not enough: RecentLoginRequired); the last active superuser cannot (LastSuperuser).
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, recent_login: timedelta) -> None:
        self._uow = uow
        self._clock = clock
        self._recent_login = recent_login

    async def __call__(self, caller: Caller) -> None:
        _require_recent_login(caller, self._clock, self._recent_login)
        await _delete_account(self._uow, caller.user.id)


class DeleteUser:
    """Delete any account by id, with its items: superusers only (NotAllowed); UserNotFound;
    one's own account this way needs a recent login as DeleteOwnAccount does; the last active
    superuser cannot be deleted (LastSuperuser)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, recent_login: timedelta) -> None:
        self._uow = uow
        self._clock = clock
        self._recent_login = recent_login

    async def __call__(self, caller: Caller, user_id: int) -> None:
        if not policies.may_delete_user(caller.user):
            raise NotAllowed("delete users")
        if user_id == caller.user.id:
            _require_recent_login(caller, self._clock, self._recent_login)
        await _delete_account(self._uow, user_id)


@dataclass(frozen=True, slots=True)
class SuperuserResult:
    user: User
    created: bool


class CreateOrPromoteSuperuser:
    """Make sure an active superuser with this email and username exists (the operator's command).

    Rules: when neither exists, create the account with the password; when both name the same
    account, make it an active superuser and leave its password alone; when only one exists, or
    they belong to two accounts, raise SuperuserIdentityConflict rather than guess. Either way
    the address counts as verified: the operator vouches for it.
    """

    def __init__(self, uow: UnitOfWorkFactory, hasher: PasswordHasher, clock: Clock) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock

    async def __call__(self, registration: Registration) -> SuperuserResult:
        async with self._uow() as uow:
            by_email = await uow.users.get_by_email(registration.email)
            by_username = await uow.users.get_by_username(registration.username)
            if by_email is not None and by_username is not None and by_email.id == by_username.id:
                now = self._clock.now()
                by_email.set_superuser(True, now)
                by_email.set_active(True, now)
                by_email.verify_email(now)
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
        user = await _create_account(self._uow, self._hasher, self._clock, registration, mail=None)
        return SuperuserResult(user=user, created=True)
