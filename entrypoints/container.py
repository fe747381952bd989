"""The composition root: every adapter and use case of itemhub, built on first use.

Persistence is chosen by the database URL's scheme (`DATABASES`); everything else is built
the same way whatever the adapter. `shutdown()` releases what the container built.
"""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any, ClassVar, cast

from dependency_injector import containers, providers

from adapters.clock import SystemClock
from adapters.options import DatabaseOptions
from adapters.security import BcryptPasswordHasher, JwtTokenService
from adapters.throttling import open_attempt_limiter
from application.attempts import LoginLimits, MailLimits
from application.letters import Links
from application.ports import Database, Mailer
from application.use_cases.account_mail import (
    AccountMail,
    ConfirmPasswordReset,
    RequestPasswordReset,
    ResendVerification,
    VerifyEmail,
)
from application.use_cases.auth import Authenticate, RefreshSession, ResolveCurrentUser
from application.use_cases.housekeeping import Purge
from application.use_cases.items import CreateItem, DeleteItem, GetItem, ListItems, UpdateItem
from application.use_cases.mail_relay import RelayMail, ShowOutbox
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
    UpdateUser,
)
from domain.account_token import AccountTokenLifetimes
from domain.mail import RetryPolicy
from domain.session import SessionLifetime
from entrypoints.metrics import Metrics
from entrypoints.settings import ConfigurationError, Settings

# The persistence adapter for each database URL scheme, as "module:class": a new adapter is one
# more line here. Each is imported only when its URL is used.
# The class takes (url, DatabaseOptions) and implements application.ports.Database.
DATABASES = {
    "memory": "adapters.memory:InMemoryDatabase",
    "sqlite": "adapters.sql:SqlDatabase",
    "postgresql": "adapters.sql:SqlDatabase",
    "postgres": "adapters.sql:SqlDatabase",
}


def _adapter_class(url: str, adapters: dict[str, str], what: str) -> Any:
    """The class `adapters` names for the URL's scheme (imported now), or a
    ConfigurationError saying which schemes there are."""
    scheme = url.partition(":")[0].partition("+")[0].lower()
    if scheme not in adapters:
        raise ConfigurationError(
            f"no {what} for {scheme!r} URLs; use one of: {', '.join(adapters)}"
        )
    module, _, name = adapters[scheme].partition(":")
    return getattr(importlib.import_module(module), name)


def open_database(url: str, options: DatabaseOptions) -> Database:
    """Build (not connect) the adapter the URL names; a URL it refuses is a
    ConfigurationError."""
    adapter = _adapter_class(url, DATABASES, "database adapter")
    try:
        return cast(Database, adapter(url, options))
    except ValueError as error:  # the adapter refused the rest of the URL
        raise ConfigurationError(str(error)) from None


# The mailer for each mail URL scheme, as for DATABASES; the class takes
# (url, sender, timeout_seconds).
MAILERS = {
    "console": "adapters.mail.console:ConsoleMailer",
    "smtp": "adapters.mail.smtp:SmtpMailer",
    "smtps": "adapters.mail.smtp:SmtpMailer",
    "memory": "adapters.mail.memory:InMemoryMailer",
}


def open_mailer(url: str, sender: str, timeout_seconds: float) -> Mailer:
    adapter = _adapter_class(url, MAILERS, "mailer")
    try:
        return cast(Mailer, adapter(url, sender, timeout_seconds))
    except ValueError as error:
        raise ConfigurationError(str(error)) from None


def _if_enabled(enabled: bool, metrics: Metrics) -> Metrics | None:
    return metrics if enabled else None


def _minutes(minutes: int) -> timedelta:
    return timedelta(minutes=minutes)


def _session_lifetime(idle_days: int, max_days: int) -> SessionLifetime:
    return SessionLifetime(idle=timedelta(days=idle_days), maximum=timedelta(days=max_days))


def _token_lifetimes(reset_minutes: int, verification_hours: int) -> AccountTokenLifetimes:
    return AccountTokenLifetimes(
        password_reset=timedelta(minutes=reset_minutes),
        email_verification=timedelta(hours=verification_hours),
    )


def _retry_policy(max_attempts: int, first_retry_seconds: float) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=max_attempts, first_delay=timedelta(seconds=first_retry_seconds)
    )


class Container(containers.DeclarativeContainer):
    """Singletons are built once per container, on first use."""

    settings = providers.Singleton(Settings)
    clock = providers.Singleton(SystemClock)
    metrics = providers.Singleton(Metrics)
    # What watches the pool: the metrics, unless they are off.
    observer = providers.Callable(_if_enabled, settings.provided.metrics_enabled, metrics)

    database = providers.Singleton(
        open_database,
        url=settings.provided.database_url,
        options=providers.Factory(
            DatabaseOptions,
            pool_size=settings.provided.db_pool_size,
            max_overflow=settings.provided.db_max_overflow,
            pool_timeout_seconds=settings.provided.db_pool_timeout_seconds,
            connect_timeout_seconds=settings.provided.db_connect_timeout_seconds,
            statement_timeout_seconds=settings.provided.db_statement_timeout_seconds,
            request_timeout_seconds=settings.provided.db_request_timeout_seconds,
            sqlite_busy_timeout_seconds=settings.provided.sqlite_busy_timeout_seconds,
            observer=observer,
        ),
    )
    unit_of_work = database.provided.unit_of_work
    user_queries = database.provided.users
    item_queries = database.provided.items
    session_queries = database.provided.sessions
    mail_queries = database.provided.mail

    hasher = providers.Singleton(
        BcryptPasswordHasher,
        rounds=settings.provided.bcrypt_rounds,
        max_pending=settings.provided.max_pending_hashes,
    )
    tokens = providers.Singleton(
        JwtTokenService,
        secret_key=settings.provided.token_secret.call(),
        clock=clock,
        lifetime=providers.Callable(_minutes, settings.provided.access_token_expire_minutes),
    )
    attempt_limiter = providers.Singleton(
        open_attempt_limiter, settings.provided.rate_limit_storage_url
    )
    login_limits = providers.Singleton(
        LoginLimits,
        per_name=settings.provided.login_max_failures_per_account,
        per_client=settings.provided.login_max_failures_per_address,
        window_seconds=settings.provided.login_failure_window_seconds,
    )

    session_lifetime = providers.Singleton(
        _session_lifetime,
        idle_days=settings.provided.session_idle_days,
        max_days=settings.provided.session_max_days,
    )

    mailer = providers.Singleton(
        open_mailer,
        settings.provided.mail_url,
        settings.provided.mail_from,
        settings.provided.mail_timeout_seconds,
    )
    account_mail = providers.Singleton(
        AccountMail,
        links=providers.Singleton(Links, settings.provided.public_url),
        lifetimes=providers.Singleton(
            _token_lifetimes,
            settings.provided.password_reset_minutes,
            settings.provided.email_verification_hours,
        ),
    )
    mail_limits = providers.Singleton(
        MailLimits,
        per_client=settings.provided.mail_requests_per_address_per_hour,
        per_recipient=settings.provided.mail_requests_per_email_per_hour,
    )
    relay_mail = providers.Singleton(
        RelayMail,
        uow=unit_of_work,
        mailer=mailer,
        clock=clock,
        policy=providers.Singleton(
            _retry_policy,
            settings.provided.mail_max_attempts,
            settings.provided.mail_first_retry_seconds,
        ),
    )
    show_outbox = providers.Singleton(ShowOutbox, mail=mail_queries)

    register_user = providers.Singleton(
        RegisterUser,
        uow=unit_of_work,
        hasher=hasher,
        clock=clock,
        limiter=attempt_limiter,
        per_hour=settings.provided.registrations_per_address_per_hour,
        mail=account_mail,
    )
    # What a request for a mailed link needs: both kinds are built alike.
    _mail_request: ClassVar[dict[str, Any]] = {
        "uow": unit_of_work,
        "clock": clock,
        "mail": account_mail,
        "limiter": attempt_limiter,
        "limits": mail_limits,
    }
    request_password_reset = providers.Singleton(RequestPasswordReset, **_mail_request)
    confirm_password_reset = providers.Singleton(
        ConfirmPasswordReset, uow=unit_of_work, hasher=hasher, clock=clock
    )
    verify_email = providers.Singleton(VerifyEmail, uow=unit_of_work, clock=clock)
    resend_verification = providers.Singleton(ResendVerification, **_mail_request)
    authenticate = providers.Singleton(
        Authenticate,
        users=user_queries,
        hasher=hasher,
        tokens=tokens,
        limiter=attempt_limiter,
        limits=login_limits,
        clock=clock,
        uow=unit_of_work,
        lifetime=session_lifetime,
    )
    refresh_session = providers.Singleton(
        RefreshSession, uow=unit_of_work, tokens=tokens, clock=clock, lifetime=session_lifetime
    )
    current_user = providers.Singleton(
        ResolveCurrentUser, sessions=session_queries, tokens=tokens, clock=clock
    )
    log_out = providers.Singleton(LogOut, uow=unit_of_work, clock=clock)
    list_own_sessions = providers.Singleton(ListOwnSessions, sessions=session_queries, clock=clock)
    end_own_session = providers.Singleton(EndOwnSession, uow=unit_of_work, clock=clock)
    end_other_own_sessions = providers.Singleton(EndOtherOwnSessions, uow=unit_of_work, clock=clock)
    list_user_sessions = providers.Singleton(
        ListUserSessions, users=user_queries, sessions=session_queries, clock=clock
    )
    end_user_sessions = providers.Singleton(EndUserSessions, uow=unit_of_work, clock=clock)
    purge = providers.Singleton(Purge, uow=unit_of_work, clock=clock)
    get_user = providers.Singleton(GetUser, users=user_queries)
    list_users = providers.Singleton(ListUsers, users=user_queries)
    update_user = providers.Singleton(
        UpdateUser, uow=unit_of_work, hasher=hasher, clock=clock, mail=account_mail
    )
    recent_login = providers.Callable(_minutes, settings.provided.recent_login_minutes)
    delete_own_account = providers.Singleton(
        DeleteOwnAccount, uow=unit_of_work, clock=clock, recent_login=recent_login
    )
    delete_user = providers.Singleton(
        DeleteUser, uow=unit_of_work, clock=clock, recent_login=recent_login
    )
    create_superuser = providers.Singleton(
        CreateOrPromoteSuperuser, uow=unit_of_work, hasher=hasher, clock=clock
    )
    require_verified_email = settings.provided.require_verified_email
    create_item = providers.Singleton(
        CreateItem, uow=unit_of_work, clock=clock, require_verified_email=require_verified_email
    )
    get_item = providers.Singleton(GetItem, items=item_queries)
    list_items = providers.Singleton(ListItems, items=item_queries)
    update_item = providers.Singleton(
        UpdateItem, uow=unit_of_work, clock=clock, require_verified_email=require_verified_email
    )
    delete_item = providers.Singleton(
        DeleteItem, uow=unit_of_work, require_verified_email=require_verified_email
    )


async def shutdown(container: Container) -> None:
    """Release what the container holds: database connections, the attempt limiter's Redis
    connections, the mailer, hashing threads. Each is cheap to build, so one never used is built and
    closed at once."""
    await container.database().close()
    await container.attempt_limiter().close()
    await container.mailer().close()
    container.hasher().close()
