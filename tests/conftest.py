"""Fixtures shared by every layer of tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.security import BcryptPasswordHasher

# bcrypt's minimum cost: real hashes in about a millisecond.
TEST_BCRYPT_ROUNDS = 4


@pytest.fixture(scope="session")
def hasher() -> Iterator[BcryptPasswordHasher]:
    hasher = BcryptPasswordHasher(rounds=TEST_BCRYPT_ROUNDS)
    yield hasher
    hasher.close()
