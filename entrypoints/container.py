"""The composition root: every adapter and use case of itemhub, built on first use."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers

from adapters.clock import SystemClock
from adapters.memory import (
    InMemoryDatabase,
    InMemoryItemListing,
    InMemoryUnitOfWork,
    InMemoryUserLookup,
)
from adapters.memory.probe import InMemoryDatabaseProbe
from adapters.security import BcryptPasswordHasher, JwtTokenService
from adapters.sql import (
    SqlItemListing,
    SqlUnitOfWork,
    SqlUserLookup,
    create_engine,
    create_session_factory,
    gate_of,
)
from adapters.sql.probe import SqlDatabaseProbe
from adapters.throttling import LimitsLoginThrottle
from application.use_cases.auth import Authenticate, ResolveCurrentUser
from application.use_cases.items import CreateItem, DeleteItem, GetItem, ListItems, UpdateItem
from application.use_cases.users import (
    CreateOrPromoteSuperuser,
    DeleteOwnAccount,
    DeleteUser,
    GetUser,
    ListUsers,
    RegisterUser,
    UpdateUser,
)
from entrypoints.settings import Settings


def _minutes(minutes: int) -> timedelta:
    return timedelta(minutes=minutes)


class Container(containers.DeclarativeContainer):
    """Singletons are built once per container, on first use; units of work once per use case."""

    settings = providers.Singleton(Settings)
    clock = providers.Singleton(SystemClock)

    engine = providers.Singleton(
        create_engine,
        url=settings.provided.database_url,
        options=settings.provided.database_options.call(),
    )
    sessions = providers.Singleton(create_session_factory, engine)
    connection_gate = providers.Singleton(gate_of, engine)
    unit_of_work = providers.Factory(SqlUnitOfWork, sessions, connection_gate)
    item_listing = providers.Singleton(SqlItemListing, engine)
    user_lookup = providers.Singleton(SqlUserLookup, engine)
    database_probe = providers.Singleton(SqlDatabaseProbe, engine)

    hasher = providers.Singleton(BcryptPasswordHasher, rounds=settings.provided.bcrypt_rounds)
    tokens = providers.Singleton(
        JwtTokenService,
        secret_key=settings.provided.token_secret.call(),
        clock=clock,
        lifetime=providers.Callable(_minutes, settings.provided.access_token_expire_minutes),
    )
    login_throttle = providers.Singleton(
        LimitsLoginThrottle,
        settings.provided.rate_limit_storage_url,
        per_account=settings.provided.login_max_failures_per_account,
        per_address=settings.provided.login_max_failures_per_address,
        window_seconds=settings.provided.login_failure_window_seconds,
    )

    register_user = providers.Singleton(
        RegisterUser, uow=unit_of_work.provider, hasher=hasher, clock=clock
    )
    authenticate = providers.Singleton(
        Authenticate,
        uow=unit_of_work.provider,
        hasher=hasher,
        tokens=tokens,
        throttle=login_throttle,
    )
    current_user = providers.Singleton(ResolveCurrentUser, users=user_lookup, tokens=tokens)
    get_user = providers.Singleton(GetUser, uow=unit_of_work.provider)
    list_users = providers.Singleton(ListUsers, uow=unit_of_work.provider)
    update_user = providers.Singleton(
        UpdateUser, uow=unit_of_work.provider, hasher=hasher, clock=clock
    )
    delete_own_account = providers.Singleton(DeleteOwnAccount, uow=unit_of_work.provider)
    delete_user = providers.Singleton(DeleteUser, uow=unit_of_work.provider)
    create_superuser = providers.Singleton(
        CreateOrPromoteSuperuser, uow=unit_of_work.provider, hasher=hasher, clock=clock
    )
    create_item = providers.Singleton(CreateItem, uow=unit_of_work.provider, clock=clock)
    get_item = providers.Singleton(GetItem, listing=item_listing)
    list_items = providers.Singleton(ListItems, listing=item_listing)
    update_item = providers.Singleton(UpdateItem, uow=unit_of_work.provider, clock=clock)
    delete_item = providers.Singleton(DeleteItem, uow=unit_of_work.provider)


def use_in_memory_adapter(container: Container) -> InMemoryDatabase:
    """Swap persistence for the in-memory adapter; no use case changes. Returns its database."""
    database = InMemoryDatabase()
    container.unit_of_work.override(providers.Factory(InMemoryUnitOfWork, database))
    container.item_listing.override(providers.Singleton(InMemoryItemListing, database))
    container.user_lookup.override(providers.Singleton(InMemoryUserLookup, database))
    container.database_probe.override(providers.Singleton(InMemoryDatabaseProbe))
    return database
