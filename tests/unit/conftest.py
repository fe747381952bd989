from __future__ import annotations

import pytest

from adapters.security import BcryptPasswordHasher
from tests.unit.core import Core, build_core


@pytest.fixture
def core(hasher: BcryptPasswordHasher) -> Core:
    return build_core(hasher)
