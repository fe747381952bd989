"""One reference model of itemhub's rules, and a state machine that checks a driver against it.

The model is plain Python bookkeeping: who exists, who is active or a superuser, whose token
still works, which items exist in which order, and what each action must answer. Two drivers
run the same machine: the use cases over the in-memory adapter (tests/unit), and the HTTP API
over SQLite and PostgreSQL (tests/adversarial). Each says what happened as an `Outcome`.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

T = TypeVar("T")
EMAILS = st.sampled_from(["ann", "bob", "cat", "dan"])
USERNAMES = st.sampled_from(["ann", "ANN", "bob", "Cat", "dan", "eve"])
PASSWORDS = st.sampled_from(["first password", "second password"])
PRICES = st.decimals(min_value=0, max_value=1000, places=2)
PICK = st.integers(min_value=0, max_value=1000)


class Outcome(enum.Enum):
    OK = "ok"
    NOT_AUTHENTICATED = "not authenticated"
    INVALID_CREDENTIALS = "invalid credentials"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not found"
    EMAIL_TAKEN = "email taken"
    USERNAME_TAKEN = "username taken"
    WRONG_CURRENT_PASSWORD = "wrong current password"
    LAST_SUPERUSER = "last superuser"


@dataclass
class Person:
    id: int
    email: str
    """The local part: the address is `{email}@example.com`."""
    username: str
    password: str
    active: bool = True
    superuser: bool = False
    deleted: bool = False
    token: str | None = None
    token_current: bool = False

    @property
    def address(self) -> str:
        return f"{self.email}@example.com"

    @property
    def can_act(self) -> bool:
        return not self.deleted and self.active and self.token is not None and self.token_current


@dataclass
class Thing:
    id: int
    owner_id: int
    price: Decimal
    created_at: datetime


@dataclass(frozen=True)
class Listed:
    id: int
    price: Decimal
    owner_username: str


@dataclass
class Model:
    """The rules, as the contract states them."""

    people: dict[int, Person] = field(default_factory=dict)
    things: dict[int, Thing] = field(default_factory=dict)

    def live(self) -> list[Person]:
        return [person for person in self.people.values() if not person.deleted]

    def registering(self, email: str, username: str) -> Outcome:
        if any(person.email == email for person in self.live()):
            return Outcome.EMAIL_TAKEN
        if any(person.username.lower() == username.lower() for person in self.live()):
            return Outcome.USERNAME_TAKEN
        return Outcome.OK

    def holder_of(self, named: Person, by_email: bool) -> Person | None:
        """Whoever holds this person's email (or username) now; it may be someone else."""
        for person in self.live():
            if (
                (person.email == named.email)
                if by_email
                else (person.username.lower() == named.username.lower())
            ):
                return person
        return None

    def logging_in(self, holder: Person | None, password: str) -> Outcome:
        if holder is None or not holder.active or holder.password != password:
            return Outcome.INVALID_CREDENTIALS
        return Outcome.OK

    @staticmethod
    def managing_account(actor: Person, target: Person, *, superusers_only: bool) -> Outcome:
        """Permission is checked before existence, so a forbidden look-up never reveals an id."""
        allowed = actor.superuser or (not superusers_only and actor.id == target.id)
        if not allowed:
            return Outcome.FORBIDDEN
        return Outcome.NOT_FOUND if target.deleted else Outcome.OK

    def renaming(self, actor: Person, target: Person, username: str) -> Outcome:
        outcome = self.managing_account(actor, target, superusers_only=False)
        taken = any(
            other.username.lower() == username.lower() and other.id != target.id
            for other in self.live()
        )
        return Outcome.USERNAME_TAKEN if outcome is Outcome.OK and taken else outcome

    def removing(self, target: Person, outcome: Outcome) -> Outcome:
        """An allowed deactivation, demotion or deletion of the last active superuser is not."""
        if outcome is not Outcome.OK or not (target.active and target.superuser):
            return outcome
        others = [p for p in self.live() if p.active and p.superuser and p.id != target.id]
        return outcome if others else Outcome.LAST_SUPERUSER

    @staticmethod
    def managing_item(actor: Person, thing: Thing) -> Outcome:
        return Outcome.OK if actor.superuser or actor.id == thing.owner_id else Outcome.FORBIDDEN

    def remove(self, person: Person) -> None:
        person.deleted = True
        self.things = {i: t for i, t in self.things.items() if t.owner_id != person.id}

    def listing(self) -> list[Listed]:
        newest_first = sorted(
            self.things.values(), key=lambda thing: (thing.created_at, thing.id), reverse=True
        )
        return [
            Listed(thing.id, thing.price, self.people[thing.owner_id].username)
            for thing in newest_first
        ]


class Driver(Protocol):
    """One way of doing what the rules are about: the use cases, or the HTTP API."""

    async def register(self, person: Person) -> tuple[Outcome, int | None]: ...

    async def login(self, login: str, password: str) -> tuple[Outcome, str | None]: ...

    async def who_am_i(self, token: str) -> tuple[Outcome, int | None]: ...

    async def promote(self, person: Person) -> None:
        """What `itemhub create-superuser` does for an existing account."""
        ...

    async def set_active(self, token: str, target_id: int, active: bool) -> Outcome: ...

    async def view(self, token: str, target_id: int) -> Outcome: ...

    async def rename(self, token: str, target_id: int, username: str) -> Outcome: ...

    async def change_password(
        self, token: str, user_id: int, new: str, current: str
    ) -> Outcome: ...

    async def delete_own_account(self, token: str) -> Outcome: ...

    async def delete_user(self, token: str, target_id: int) -> Outcome: ...

    async def create_item(self, token: str, title: str, price: Decimal) -> tuple[int, datetime]: ...

    async def reprice_item(self, token: str, item_id: int, price: Decimal) -> Outcome: ...

    async def delete_item(self, token: str, item_id: int) -> Outcome: ...

    async def item_exists(self, item_id: int) -> bool: ...

    async def listing(self, page_size: int) -> list[Listed]:
        """Every item, newest first, read page by page."""
        ...

    async def time_passes(self, seconds: int) -> None: ...


class RulesMachine(RuleBasedStateMachine):
    """Random sequences of actions; every outcome and every listing must agree with the model."""

    def __init__(self, driver: Driver, runner: asyncio.Runner) -> None:
        super().__init__()
        self.driver = driver
        self.runner = runner
        self.model = Model()
        self.steps = 0

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        self.steps += 1
        return self.runner.run(coroutine)

    def pick(self, pick: int) -> Person:
        people = sorted(self.model.people.values(), key=lambda person: person.id)
        return people[pick % len(people)]

    def pick_thing(self, pick: int) -> Thing:
        things = sorted(self.model.things.values(), key=lambda thing: thing.id)
        return things[pick % len(things)]

    def actor(self, pick: int) -> Person | None:
        """Someone whose latest token must be accepted, or None (after checking it is not)."""
        person = self.pick(pick)
        if person.token is None:
            return None
        outcome, user_id = self.run(self.driver.who_am_i(person.token))
        if not person.can_act:
            assert outcome is Outcome.NOT_AUTHENTICATED
            return None
        assert (outcome, user_id) == (Outcome.OK, person.id)
        return person

    def log_in(self, person: Person, login: str) -> None:
        outcome, token = self.run(self.driver.login(login, person.password))
        assert outcome is Outcome.OK
        person.token, person.token_current = token, True

    @rule(email=EMAILS, username=USERNAMES, password=PASSWORDS)
    def register(self, email: str, username: str, password: str) -> None:
        person = Person(0, email, username, password)
        expected = self.model.registering(email, username)
        outcome, user_id = self.run(self.driver.register(person))
        assert outcome is expected
        if outcome is Outcome.OK:
            assert user_id is not None
            person.id = user_id
            self.model.people[user_id] = person
            self.log_in(person, username)  # as a client would, next

    @precondition(lambda self: self.model.people)
    @rule(pick=PICK, by_email=st.booleans(), right_password=st.booleans())
    def login(self, pick: int, by_email: bool, right_password: bool) -> None:
        named = self.pick(pick)  # possibly deleted: its name may now be someone else's
        login = named.address if by_email else named.username.swapcase()
        holder = self.model.holder_of(named, by_email)
        password = named.password if right_password else "not the password"
        outcome, token = self.run(self.driver.login(login, password))
        assert outcome is self.model.logging_in(holder, password)
        if outcome is Outcome.OK and holder is not None:
            holder.token, holder.token_current = token, True

    @precondition(lambda self: self.model.people)
    @rule(pick=PICK)
    def promote(self, pick: int) -> None:
        person = self.pick(pick)
        if person.deleted:
            return
        self.run(self.driver.promote(person))
        person.superuser = person.active = True

    @precondition(lambda self: self.model.people)
    @rule(actor_pick=PICK, target_pick=PICK, active=st.booleans())
    def set_active(self, actor_pick: int, target_pick: int, active: bool) -> None:
        actor, target = self.actor(actor_pick), self.pick(target_pick)
        if actor is None or actor.token is None:
            return
        # Only superusers may send is_active at all, even about themselves.
        expected = self.model.managing_account(actor, target, superusers_only=True)
        if not active:
            expected = self.model.removing(target, expected)
        assert self.run(self.driver.set_active(actor.token, target.id, active)) is expected
        if expected is Outcome.OK:
            if target.active and not active:  # deactivation ends every token issued before it
                target.token_current = False
            target.active = active

    @precondition(lambda self: self.model.people)
    @rule(actor_pick=PICK, target_pick=PICK)
    def view_account(self, actor_pick: int, target_pick: int) -> None:
        actor, target = self.actor(actor_pick), self.pick(target_pick)
        if actor is None or actor.token is None:
            return
        expected = self.model.managing_account(actor, target, superusers_only=False)
        assert self.run(self.driver.view(actor.token, target.id)) is expected

    @precondition(lambda self: self.model.people)
    @rule(actor_pick=PICK, target_pick=PICK, username=USERNAMES)
    def rename_account(self, actor_pick: int, target_pick: int, username: str) -> None:
        actor, target = self.actor(actor_pick), self.pick(target_pick)
        if actor is None or actor.token is None:
            return
        expected = self.model.renaming(actor, target, username)
        assert self.run(self.driver.rename(actor.token, target.id, username)) is expected
        if expected is Outcome.OK:
            target.username = username

    @precondition(lambda self: self.model.people)
    @rule(pick=PICK, new_password=PASSWORDS, confirm=st.booleans())
    def change_own_password(self, pick: int, new_password: str, confirm: bool) -> None:
        person = self.actor(pick)
        if person is None or person.token is None:
            return
        current = person.password if confirm else "a wrong guess"
        outcome = self.run(
            self.driver.change_password(person.token, person.id, new_password, current)
        )
        assert outcome is (Outcome.OK if confirm else Outcome.WRONG_CURRENT_PASSWORD)
        if confirm:  # every token issued before the change stops working
            person.password, person.token_current = new_password, False
            assert self.actor(pick) is None

    @precondition(lambda self: self.model.people)
    @rule(actor_pick=PICK, target_pick=PICK, own=st.booleans())
    def delete_account(self, actor_pick: int, target_pick: int, own: bool) -> None:
        actor = self.actor(actor_pick)
        if actor is None or actor.token is None:
            return
        if own:
            expected = self.model.removing(actor, Outcome.OK)
            assert self.run(self.driver.delete_own_account(actor.token)) is expected
            if expected is Outcome.OK:
                self.model.remove(actor)
            return
        target = self.pick(target_pick)
        expected = self.model.managing_account(actor, target, superusers_only=True)
        expected = self.model.removing(target, expected)
        assert self.run(self.driver.delete_user(actor.token, target.id)) is expected
        if expected is Outcome.OK:
            self.model.remove(target)

    @precondition(lambda self: self.model.people)
    @rule(pick=PICK, price=PRICES)
    def create_item(self, pick: int, price: Decimal) -> None:
        actor = self.actor(pick)
        if actor is None or actor.token is None:
            return
        item_id, created_at = self.run(
            self.driver.create_item(actor.token, f"thing {self.steps}", price)
        )
        self.model.things[item_id] = Thing(item_id, actor.id, price, created_at)

    @precondition(lambda self: self.model.people and self.model.things)
    @rule(actor_pick=PICK, thing_pick=PICK, price=PRICES, delete=st.booleans())
    def change_or_delete_item(
        self, actor_pick: int, thing_pick: int, price: Decimal, delete: bool
    ) -> None:
        actor, thing = self.actor(actor_pick), self.pick_thing(thing_pick)
        if actor is None or actor.token is None:
            return
        expected = self.model.managing_item(actor, thing)
        if delete:
            assert self.run(self.driver.delete_item(actor.token, thing.id)) is expected
            if expected is Outcome.OK:
                del self.model.things[thing.id]
                assert not self.run(self.driver.item_exists(thing.id))
        else:
            assert self.run(self.driver.reprice_item(actor.token, thing.id, price)) is expected
            if expected is Outcome.OK:
                thing.price = price

    @rule(seconds=st.integers(min_value=0, max_value=2))
    def time_passes(self, seconds: int) -> None:
        self.run(self.driver.time_passes(seconds))

    @invariant()
    def the_listing_agrees_page_by_page(self) -> None:
        assert self.run(self.driver.listing(page_size=3)) == self.model.listing()
