"""Every use case wired to the in-memory adapter, real bcrypt (low cost) and real JWTs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from adapters.clock import FrozenClock
from adapters.memory import (
    InMemoryDatabase,
    InMemoryItemListing,
    InMemoryUnitOfWork,
    InMemoryUserLookup,
)
from adapters.security import BcryptPasswordHasher, JwtTokenService
from adapters.throttling import LimitsLoginThrottle
from application.ports import UnitOfWork
from application.use_cases.auth import Authenticate, Credentials, ResolveCurrentUser
from application.use_cases.items import (
    CreateItem,
    DeleteItem,
    GetItem,
    ItemDraft,
    ListItems,
    UpdateItem,
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
from domain.item import Item
from domain.user import User
from domain.values import Description, Email, PlainPassword, Price, Title, Username

TEST_SECRET = "unit-tests-only-secret-key-0123456789abcdef"
START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


@dataclass
class Core:
    db: InMemoryDatabase
    clock: FrozenClock
    hasher: BcryptPasswordHasher
    tokens: JwtTokenService
    throttle: LimitsLoginThrottle
    register: RegisterUser
    authenticate: Authenticate
    current_user: ResolveCurrentUser
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

    def uow(self) -> UnitOfWork:
        return InMemoryUnitOfWork(self.db)

    async def user(self, name: str, *, superuser: bool = False, password: str = PASSWORD) -> User:
        registration = Registration(
            Email(f"{name}@example.com"), Username(name), PlainPassword(password)
        )
        if superuser:
            return (await self.create_superuser(registration)).user
        return await self.register(registration)

    async def login(self, login: str, password: str = PASSWORD, address: str = "192.0.2.1") -> str:
        return (await self.authenticate(Credentials(login, password, address))).access_token

    async def item(self, owner: User, title: str = "A lamp", price: str = "10.00") -> Item:
        draft = ItemDraft(Title(title), Price(Decimal(price)), Description("Bright"))
        return await self.create_item(owner, draft)


def build_core(hasher: BcryptPasswordHasher) -> Core:
    db = InMemoryDatabase()
    clock = FrozenClock(START)
    tokens = JwtTokenService(TEST_SECRET, clock, timedelta(minutes=30))

    def uow() -> UnitOfWork:
        return InMemoryUnitOfWork(db)

    listing = InMemoryItemListing(db)
    throttle = LimitsLoginThrottle("memory://", per_account=10, per_address=100, window_seconds=300)
    return Core(
        db=db,
        clock=clock,
        hasher=hasher,
        tokens=tokens,
        throttle=throttle,
        register=RegisterUser(uow, hasher, clock),
        authenticate=Authenticate(uow, hasher, tokens, throttle),
        current_user=ResolveCurrentUser(InMemoryUserLookup(db), tokens),
        get_user=GetUser(uow),
        list_users=ListUsers(uow),
        update_user=UpdateUser(uow, hasher, clock),
        delete_own_account=DeleteOwnAccount(uow),
        delete_user=DeleteUser(uow),
        create_superuser=CreateOrPromoteSuperuser(uow, hasher, clock),
        create_item=CreateItem(uow, clock),
        get_item=GetItem(listing),
        list_items=ListItems(listing),
        update_item=UpdateItem(uow, clock),
        delete_item=DeleteItem(uow),
    )
