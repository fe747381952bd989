"""Partial updates need to tell a field that was not sent from one sent as null."""

from __future__ import annotations

import enum
from typing import Final, TypeVar

T = TypeVar("T")


class Unset(enum.Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET


def is_set(value: T | Unset) -> bool:
    return value is not UNSET
