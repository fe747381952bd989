"""The application's own container, overridden for unit tests: the in-memory adapter, a frozen
clock, real bcrypt at its lowest cost and real JWTs. Every use case is the one the app uses."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from dependency_injector import providers
from pydantic import SecretStr

from adapters.clock import FrozenClock
from adapters.mail.memory import InMemoryMailer
from adapters.memory import InMemoryDatabase
from adapters.security import BcryptPasswordHasher
from application.use_cases.account_mail import (
    ConfirmPasswordReset,
    RequestPasswordReset,
    ResendVerification,
    VerifyEmail,
)
from application.use_cases.auth import (
    Authenticate,
    Caller,
    Credentials,
    RefreshSession,
    ResolveCurrentUser,
    SessionTokens,
)
from application.use_cases.housekeeping import Purge
from application.use_cases.items import CreateItem, DeleteItem, GetItem, ListItems, UpdateItem
from application.use_cases.mail_relay import RelayMail
from application.use_cases.sessions import (
    EndOtherOwnSessions,
    EndOwnSession,
    EndUserSessions,
    ListOwnSessions,
    ListUserSessions,
    LogOut,
)
from application.use_cases.users import (
    CreateOrPromoteSuperuser,
    DeleteOwnAccount,
    DeleteUser,
    GetUser,
    ListUsers,
    RegisterUser,
    Registration,
    UpdateUser,
)
from domain.item import Item, ItemDetails
from domain.session import Session
from domain.user import User
from domain.values import Description, Email, PlainPassword, Price, Title, Username
from entrypoints.container import Container
from entrypoints.settings import Settings

TEST_SECRET = "unit-tests-only-secret-key-0123456789abcdef"
START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
CLIENT = "192.0.2.1"


def unit_settings(**overrides: Any) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url="memory://",
        secret_key=SecretStr(TEST_SECRET),
        bcrypt_rounds=4,
        mail_url="memory://",
        # Tests register many accounts from one address; the limit has tests of its own.
        **({"registrations_per_address_per_hour": 10**6} | overrides),
    )


@dataclass
class Core:
    """The container's use cases, as the app gets them, and what tests reach for most."""

    container: Container
    clock: FrozenClock
    register_user: RegisterUser
    authenticate: Authenticate
    refresh_session: RefreshSession
    current_user: ResolveCurrentUser
    log_out: LogOut
    list_own_sessions: ListOwnSessions
    end_own_session: EndOwnSession
    end_other_own_sessions: EndOtherOwnSessions
    list_user_sessions: ListUserSessions
    end_user_sessions: EndUserSessions
    purge: Purge
    get_user: GetUser
    list_users: ListUsers
    update_user: UpdateUser
    delete_own_account: DeleteOwnAccount
    delete_user: DeleteUser
    create_superuser: CreateOrPromoteSuperuser
    create_item: CreateItem
    get_item: GetItem
    list_items: ListItems
    update_item: UpdateItem
    delete_item: DeleteItem
    request_password_reset: RequestPasswordReset
    confirm_password_reset: ConfirmPasswordReset
    verify_email: VerifyEmail
    resend_verification: ResendVerification
    relay_mail: RelayMail

    @property
    def db(self) -> InMemoryDatabase:
        database = self.container.database()
        assert isinstance(database, InMemoryDatabase)
        return database

    @property
    def mailer(self) -> InMemoryMailer:
        mailer = self.container.mailer()
        assert isinstance(mailer, InMemoryMailer)
        return mailer

    async def caller(self, user: User) -> Caller:
        """`user` calling in a session started by a login just now (stored, as a login
        stores it, without spending a password check)."""
        session = Session.start(user.id, self.clock.now(), self.container.session_lifetime())
        async with self.db.unit_of_work() as uow:
            await uow.sessions.add(session)
            await uow.commit()
        return Caller(user, session)

    async def user(self, name: str, *, superuser: bool = False, password: str = PASSWORD) -> User:
        registration = Registration(
            Email(f"{name}@example.com"), Username(name), PlainPassword(password)
        )
        if superuser:
            return (await self.create_superuser(registration)).user
        return await self.register_user(registration, CLIENT)

    async def login(self, login: str, password: str = PASSWORD, address: str = CLIENT) -> str:
        """A new session's access token."""
        return (await self.sign_in(login, password, address)).access_token

    async def sign_in(
        self,
        login: str,
        password: str = PASSWORD,
        address: str = CLIENT,
        user_agent: str | None = None,
    ) -> SessionTokens:
        """A new session's tokens, access and refresh."""
        return await self.authenticate(Credentials(login, password, address, user_agent))

    async def item(self, owner: User, title: str = "A lamp", price: str = "10.00") -> Item:
        details = ItemDetails(
            title=Title(title), price=Price(Decimal(price)), description=Description("Bright")
        )
        return await self.create_item(owner, details)


def build_core(hasher: BcryptPasswordHasher, **settings: Any) -> Core:
    container = Container()
    clock = FrozenClock(START)
    container.settings.override(providers.Object(unit_settings(**settings)))
    container.clock.override(providers.Object(clock))
    container.hasher.override(providers.Object(hasher))
    use_cases = {name: getattr(container, name)() for name in USE_CASES}
    return Core(container, clock, **use_cases)


USE_CASES = [field.name for field in fields(Core)][2:]
