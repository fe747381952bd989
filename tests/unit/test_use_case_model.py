"""A stateful model: random sequences of use cases checked against plain Python bookkeeping.

The model knows who exists, who is active or a superuser, which tokens are current, and which
items exist in which order; every step's outcome (success or the exact domain error) and every
listing must agree with it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from adapters.security import BcryptPasswordHasher
from application.errors import InvalidCredentials, NotAuthenticated
from application.paging import PageRequest
from application.read_models import ItemFilters
from application.use_cases.items import ItemChanges, ItemDraft
from application.use_cases.users import Registration, UserChanges
from domain.errors import (
    EmailAlreadyRegistered,
    ItemNotFound,
    NotAllowed,
    UsernameTaken,
    UserNotFound,
    WrongCurrentPassword,
)
from domain.user import User
from domain.values import Email, PlainPassword, Price, Title, Username
from tests.unit.core import build_core

T = TypeVar("T")
EMAILS = st.sampled_from(["ann", "bob", "cat", "dan"])
USERNAMES = st.sampled_from(["ann", "ANN", "bob", "Cat", "dan", "eve"])
PASSWORDS = st.sampled_from(["first password", "second password"])
PRICES = st.decimals(min_value=0, max_value=1000, places=2)
PICK = st.integers(min_value=0, max_value=1000)


@dataclass
class ModelUser:
    id: int
    email: str
    username: str
    password: str
    active: bool = True
    superuser: bool = False
    deleted: bool = False
    token: str | None = None
    token_current: bool = False

    @property
    def can_act(self) -> bool:
        return not self.deleted and self.active and self.token is not None and self.token_current


@dataclass
class ModelItem:
    id: int
    owner_id: int
    title: str
    price: Decimal
    created_at: datetime


@dataclass
class Model:
    users: dict[int, ModelUser] = field(default_factory=dict)
    items: dict[int, ModelItem] = field(default_factory=dict)

    def live_users(self) -> list[ModelUser]:
        return [user for user in self.users.values() if not user.deleted]

    def delete_user(self, user: ModelUser) -> None:
        user.deleted = True
        self.items = {i: item for i, item in self.items.items() if item.owner_id != user.id}


def account_error(allowed: bool, target: ModelUser) -> type[Exception] | None:
    """Permission is checked before existence, so a forbidden look-up never reveals an id."""
    if not allowed:
        return NotAllowed
    return UserNotFound if target.deleted else None


class UseCaseMachine(RuleBasedStateMachine):
    def __init__(self, hasher: BcryptPasswordHasher) -> None:
        super().__init__()
        self.runner = asyncio.Runner()
        self.core = build_core(hasher)
        self.model = Model()
        self.logins = 0

    def teardown(self) -> None:
        self.runner.close()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coroutine)

    def expect(self, call: Coroutine[Any, Any, T], error: type[Exception] | None) -> T | None:
        """Run a use case that the model says must raise `error`, or succeed when it is None."""
        if error is None:
            return self.run(call)
        with pytest.raises(error):
            self.run(call)
        return None

    def fresh_address(self) -> str:
        """Throttling is not modelled here (its own tests cover it): each login comes from anew."""
        self.logins += 1
        return f"addr-{self.logins}"

    def pick_user(self, pick: int) -> ModelUser:
        users = sorted(self.model.users.values(), key=lambda user: user.id)
        return users[pick % len(users)]

    def pick_item(self, pick: int) -> ModelItem:
        items = sorted(self.model.items.values(), key=lambda item: item.id)
        return items[pick % len(items)]

    def actor(self, pick: int) -> tuple[ModelUser, User | None]:
        """Resolve a user's latest token the way a request would, checking the outcome."""
        someone = self.pick_user(pick)
        if someone.token is None:
            return someone, None
        if not someone.can_act:
            with pytest.raises(NotAuthenticated):
                self.run(self.core.current_user(someone.token))
            return someone, None
        user = self.run(self.core.current_user(someone.token))
        assert user.id == someone.id
        return someone, user

    @rule(email=EMAILS, username=USERNAMES, password=PASSWORDS)
    def register(self, email: str, username: str, password: str) -> None:
        live = self.model.live_users()
        registration = Registration(
            Email(f"{email}@example.com"), Username(username), PlainPassword(password)
        )
        if any(user.email == email for user in live):
            with pytest.raises(EmailAlreadyRegistered):
                self.run(self.core.register(registration))
        elif any(user.username.lower() == username.lower() for user in live):
            with pytest.raises(UsernameTaken):
                self.run(self.core.register(registration))
        else:
            user = self.run(self.core.register(registration))
            token = self.run(
                self.core.login(username, password, self.fresh_address())
            )  # as a client would, next
            self.model.users[user.id] = ModelUser(
                user.id, email, username, password, token=token, token_current=True
            )

    @precondition(lambda self: self.model.users)
    @rule(pick=PICK, by_email=st.booleans(), right_password=st.booleans())
    def login(self, pick: int, by_email: bool, right_password: bool) -> None:
        named = self.pick_user(pick)  # possibly deleted: its name may now be someone else's
        login = f"{named.email}@example.com" if by_email else named.username.swapcase()
        user = next(
            (
                live
                for live in self.model.live_users()
                if (
                    live.email == named.email
                    if by_email
                    else live.username.lower() == named.username.lower()
                )
            ),
            None,
        )
        password = named.password if right_password else "not the password"
        if user is None or not user.active or password != user.password:
            with pytest.raises(InvalidCredentials):
                self.run(self.core.login(login, password, self.fresh_address()))
        else:
            user.token = self.run(self.core.login(login, password, self.fresh_address()))
            user.token_current = True

    @precondition(lambda self: self.model.users)
    @rule(pick=PICK)
    def make_superuser(self, pick: int) -> None:
        user = self.pick_user(pick)
        if user.deleted:
            return
        registration = Registration(
            Email(f"{user.email}@example.com"),
            Username(user.username),
            PlainPassword(user.password),
        )
        result = self.run(self.core.create_superuser(registration))
        assert not result.created
        user.superuser = user.active = True

    @precondition(lambda self: self.model.users)
    @rule(actor_pick=PICK, target_pick=PICK, active=st.booleans())
    def set_active(self, actor_pick: int, target_pick: int, active: bool) -> None:
        actor, user = self.actor(actor_pick)
        target = self.pick_user(target_pick)
        if user is None:
            return
        call = self.core.update_user(user, target.id, UserChanges(is_active=active))
        changed = self.expect(call, account_error(actor.superuser, target))
        if changed is not None:
            assert changed.is_active is active
            target.active = active

    @precondition(lambda self: self.model.users)
    @rule(actor_pick=PICK, target_pick=PICK)
    def view_account(self, actor_pick: int, target_pick: int) -> None:
        actor, user = self.actor(actor_pick)
        target = self.pick_user(target_pick)
        if user is None:
            return
        allowed = actor.superuser or actor.id == target.id
        shown = self.expect(self.core.get_user(user, target.id), account_error(allowed, target))
        if shown is not None:
            assert shown.username.value == target.username

    @precondition(lambda self: self.model.users)
    @rule(actor_pick=PICK, target_pick=PICK, username=USERNAMES)
    def rename_account(self, actor_pick: int, target_pick: int, username: str) -> None:
        actor, user = self.actor(actor_pick)
        target = self.pick_user(target_pick)
        if user is None:
            return
        call = self.core.update_user(user, target.id, UserChanges(username=Username(username)))
        taken = any(
            other.username.lower() == username.lower() and other.id != target.id
            for other in self.model.live_users()
        )
        error = account_error(actor.superuser or actor.id == target.id, target)
        changed = self.expect(call, error or (UsernameTaken if taken else None))
        if changed is not None:
            assert changed.username.value == username
            target.username = username

    @precondition(lambda self: self.model.users)
    @rule(pick=PICK, new_password=PASSWORDS, confirm=st.booleans())
    def change_own_password(self, pick: int, new_password: str, confirm: bool) -> None:
        actor, user = self.actor(pick)
        if user is None:
            return
        current = actor.password if confirm else "a wrong guess"
        changes = UserChanges(password=PlainPassword(new_password), current_password=current)
        if not confirm:
            with pytest.raises(WrongCurrentPassword):
                self.run(self.core.update_user(user, user.id, changes))
            return
        self.run(self.core.update_user(user, user.id, changes))
        actor.password = new_password
        actor.token_current = False

    @precondition(lambda self: self.model.users)
    @rule(actor_pick=PICK, target_pick=PICK, own=st.booleans())
    def delete_account(self, actor_pick: int, target_pick: int, own: bool) -> None:
        actor, user = self.actor(actor_pick)
        if user is None:
            return
        if own:
            self.run(self.core.delete_own_account(user))
            self.model.delete_user(actor)
            return
        target = self.pick_user(target_pick)
        error = account_error(actor.superuser, target)
        self.expect(self.core.delete_user(user, target.id), error)
        if error is None:
            self.model.delete_user(target)

    @precondition(lambda self: self.model.users)
    @rule(pick=PICK, price=PRICES)
    def create_item(self, pick: int, price: Decimal) -> None:
        actor, user = self.actor(pick)
        if user is None:
            return
        title = f"item {len(self.model.items)}"
        item = self.run(self.core.create_item(user, ItemDraft(Title(title), Price(price))))
        self.model.items[item.id] = ModelItem(item.id, actor.id, title, price, item.created_at)

    @precondition(lambda self: self.model.users and self.model.items)
    @rule(actor_pick=PICK, item_pick=PICK, price=PRICES, delete=st.booleans())
    def change_or_delete_item(
        self, actor_pick: int, item_pick: int, price: Decimal, delete: bool
    ) -> None:
        actor, user = self.actor(actor_pick)
        item = self.pick_item(item_pick)
        if user is None:
            return
        allowed = actor.superuser or actor.id == item.owner_id
        call: Coroutine[Any, Any, object]
        if delete:
            call = self.core.delete_item(user, item.id)
        else:
            call = self.core.update_item(user, item.id, ItemChanges(price=Price(price)))
        if not allowed:
            with pytest.raises(NotAllowed):
                self.run(call)
        elif delete:
            self.run(call)
            del self.model.items[item.id]
        else:
            self.run(call)
            item.price = price

    @rule(seconds=st.integers(min_value=0, max_value=2))
    def time_passes(self, seconds: int) -> None:
        self.core.clock.advance(timedelta(seconds=seconds))

    @invariant()
    def listing_matches_the_model_page_by_page(self) -> None:
        expected = sorted(
            self.model.items.values(), key=lambda i: (i.created_at, i.id), reverse=True
        )
        listed = []
        page = self.run(self.core.list_items(ItemFilters(), PageRequest(limit=3)))
        listed += page.data
        while page.next_cursor is not None:
            page = self.run(
                self.core.list_items(ItemFilters(), PageRequest(limit=3, cursor=page.next_cursor))
            )
            listed += page.data
        assert [item.id for item in listed] == [item.id for item in expected]
        for shown, model in zip(listed, expected, strict=True):
            assert shown.price == model.price
            assert shown.owner.username == self.model.users[model.owner_id].username

    @invariant()
    def deleted_items_and_users_are_gone(self) -> None:
        for item_id in set(self.core.db.items) - set(self.model.items):
            with pytest.raises(ItemNotFound):
                self.run(self.core.get_item(item_id))
        assert set(self.core.db.users) == {user.id for user in self.model.live_users()}


def test_use_cases_agree_with_the_model(hasher: BcryptPasswordHasher) -> None:
    class Machine(UseCaseMachine):
        def __init__(self) -> None:
            super().__init__(hasher)

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=60,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
