"""The use cases, over the in-memory adapter, agree with the reference model (tests/model.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from adapters.security import BcryptPasswordHasher
from application.errors import InvalidCredentials, NotAuthenticated
from application.paging import PageRequest
from application.read_models import ItemFilters
from application.use_cases.users import Registration, UserChanges
from domain.errors import (
    DomainError,
    EmailAlreadyRegistered,
    ItemNotFound,
    LastSuperuser,
    NotAllowed,
    UsernameTaken,
    UserNotFound,
    WrongCurrentPassword,
)
from domain.item import ItemDetails
from domain.user import User
from domain.values import Email, PlainPassword, Price, Title, Username
from tests.model import Listed, Outcome, Person, RulesMachine
from tests.unit.core import CLIENT, Core, build_core

OUTCOMES: dict[type[DomainError], Outcome] = {
    NotAuthenticated: Outcome.NOT_AUTHENTICATED,
    InvalidCredentials: Outcome.INVALID_CREDENTIALS,
    NotAllowed: Outcome.FORBIDDEN,
    UserNotFound: Outcome.NOT_FOUND,
    ItemNotFound: Outcome.NOT_FOUND,
    EmailAlreadyRegistered: Outcome.EMAIL_TAKEN,
    UsernameTaken: Outcome.USERNAME_TAKEN,
    WrongCurrentPassword: Outcome.WRONG_CURRENT_PASSWORD,
    LastSuperuser: Outcome.LAST_SUPERUSER,
}


async def outcome_of(call: Awaitable[object]) -> Outcome:
    try:
        await call
    except DomainError as error:
        return OUTCOMES[type(error)]
    return Outcome.OK


class UseCaseDriver:
    """Each action as the use cases do it; a token stands for the caller, as in a request."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.logins = 0

    async def caller(self, token: str) -> User:
        return (await self.core.current_user(token)).user

    async def register(self, person: Person) -> tuple[Outcome, int | None]:
        registration = Registration(
            Email(person.address), Username(person.username), PlainPassword(person.password)
        )
        try:
            user = await self.core.register_user(registration, CLIENT)
        except DomainError as error:
            return OUTCOMES[type(error)], None
        return Outcome.OK, user.id

    async def login(self, login: str, password: str) -> tuple[Outcome, str | None]:
        self.logins += 1  # throttling is not modelled (its own tests cover it): a new address each
        try:
            token = await self.core.login(login, password, f"addr-{self.logins}")
        except DomainError as error:
            return OUTCOMES[type(error)], None
        return Outcome.OK, token

    async def who_am_i(self, token: str) -> tuple[Outcome, int | None]:
        try:
            return Outcome.OK, (await self.caller(token)).id
        except DomainError as error:
            return OUTCOMES[type(error)], None

    async def promote(self, person: Person) -> None:
        registration = Registration(
            Email(person.address), Username(person.username), PlainPassword(person.password)
        )
        result = await self.core.create_superuser(registration)
        assert not result.created

    async def _update(self, token: str, target_id: int, changes: UserChanges) -> Outcome:
        return await outcome_of(self.core.update_user(await self.caller(token), target_id, changes))

    async def set_active(self, token: str, target_id: int, active: bool) -> Outcome:
        return await self._update(token, target_id, UserChanges(is_active=active))

    async def view(self, token: str, target_id: int) -> Outcome:
        return await outcome_of(self.core.get_user(await self.caller(token), target_id))

    async def rename(self, token: str, target_id: int, username: str) -> Outcome:
        return await self._update(token, target_id, UserChanges(username=Username(username)))

    async def change_password(self, token: str, user_id: int, new: str, current: str) -> Outcome:
        changes = UserChanges(password=PlainPassword(new), current_password=current)
        return await self._update(token, user_id, changes)

    async def delete_own_account(self, token: str) -> Outcome:
        caller = await self.core.current_user(token)
        return await outcome_of(self.core.delete_own_account(caller))

    async def delete_user(self, token: str, target_id: int) -> Outcome:
        caller = await self.core.current_user(token)
        return await outcome_of(self.core.delete_user(caller, target_id))

    async def create_item(self, token: str, title: str, price: Decimal) -> tuple[int, datetime]:
        details = ItemDetails(title=Title(title), price=Price(price))
        item = await self.core.create_item(await self.caller(token), details)
        return item.id, item.created_at

    async def reprice_item(self, token: str, item_id: int, price: Decimal) -> Outcome:
        changes = {"price": Price(price)}
        return await outcome_of(self.core.update_item(await self.caller(token), item_id, changes))

    async def delete_item(self, token: str, item_id: int) -> Outcome:
        return await outcome_of(self.core.delete_item(await self.caller(token), item_id))

    async def item_exists(self, item_id: int) -> bool:
        return await outcome_of(self.core.get_item(item_id)) is Outcome.OK

    async def listing(self, page_size: int) -> list[Listed]:
        listed: list[Listed] = []
        page = await self.core.list_items(ItemFilters(), PageRequest(limit=page_size))
        while True:
            listed += [
                Listed(row.item.id, row.item.price.value, row.owner.username.value)
                for row in page.data
            ]
            if page.next_after is None:
                return listed
            request = PageRequest(limit=page_size, after=page.next_after)
            page = await self.core.list_items(ItemFilters(), request)

    async def time_passes(self, seconds: int) -> None:
        self.core.clock.advance(timedelta(seconds=seconds))


def test_use_cases_agree_with_the_model(hasher: BcryptPasswordHasher) -> None:
    class Machine(RulesMachine):
        def __init__(self) -> None:
            super().__init__(UseCaseDriver(build_core(hasher)), asyncio.Runner())

        def teardown(self) -> None:
            self.runner.close()

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=60,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
