"""Value objects and the limits they enforce: each rule is written here once, and every edge
that shows a limit (the OpenAPI document, the table columns) imports it from here."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, Self, TypeVar

from domain.errors import (
    InvalidDescription,
    InvalidEmail,
    InvalidPassword,
    InvalidPrice,
    InvalidTitle,
    InvalidUsername,
    PasswordTooLong,
)

T = TypeVar("T")

# Ids are 64-bit in every database itemhub supports; stores number from 1.
MAX_ID = 2**63 - 1
NOT_STORED = 0
"""The id of an entity no repository has stored yet: `add` gives it its own."""
MAX_EMAIL_LENGTH = 254
MAX_LOCAL_PART_LENGTH = 64
MIN_USERNAME_CHARS = 3
MAX_USERNAME_CHARS = 32
USERNAME_CHARACTERS = "A-Za-z0-9_.-"
# A login is an email address or a username; nothing longer can name an account.
MAX_LOGIN_CHARS = max(MAX_EMAIL_LENGTH, MAX_USERNAME_CHARS)
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_BYTES = 72
MAX_TITLE_CHARS = 200
MAX_DESCRIPTION_CHARS = 2000
MIN_PRICE = Decimal(0)
MAX_PRICE = Decimal(1_000_000_000)
PRICE_PLACES = 2
_CENT = Decimal(1).scaleb(-PRICE_PLACES)

# A pragmatic subset of RFC 5322: dot-atom local part and an LDH domain with an alphabetic or
# punycode TLD. ASCII only, so look-alike letters from other scripts cannot shadow an account.
_LOCAL = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_TLD = r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})"
_EMAIL_RE = re.compile(rf"({_LOCAL})@((?:{_LABEL}\.)+{_TLD})", re.ASCII)
USERNAME_PATTERN = f"[{USERNAME_CHARACTERS}]{{{MIN_USERNAME_CHARS},{MAX_USERNAME_CHARS}}}"
_USERNAME_RE = re.compile(USERNAME_PATTERN, re.ASCII)
_MULTILINE_CONTROLS = frozenset("\t\n\r")
# Only ASCII white space is trimmed from an address: anything more exotic is suspicious, not noise.
_ASCII_WHITESPACE = " \t\n\r\f\v"
# What a title is trimmed of: ECMAScript's white space and line terminators (the set JSON Schema
# patterns mean) but the byte order mark, which counts as invisible (below).
TITLE_WHITESPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
# Characters that change how text around them reads without showing themselves: bidirectional
# embeddings, overrides and isolates, and zero-width characters. Refused in titles and
# descriptions, where they would disguise what a buyer sees.
INVISIBLE_RANGES = ((0x200B, 0x200D), (0x202A, 0x202E), (0x2060, 0x2060), (0x2066, 0x2069))
INVISIBLE = frozenset(
    chr(code) for low, high in INVISIBLE_RANGES for code in range(low, high + 1)
) | {"\ufeff"}


def _has_surrogate(text: str) -> bool:
    """Lone surrogates (possible in JSON `\\ud800`) cannot be stored as UTF-8."""
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def is_storable_line(text: str) -> bool:
    """No control character (NUL included) and no lone surrogate: text every database can
    store and compare, on one line."""
    return not (_has_surrogate(text) or _has_control(text))


def _has_control(text: str, allowed: frozenset[str] = frozenset()) -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


def _has_invisible(text: str) -> bool:
    return not INVISIBLE.isdisjoint(text)


class ValueObject(Generic[T]):
    """A valid value, immutable, equal to another of its kind with the same value.

    `__init__` validates what it is given (raw input from anywhere); `stored()` rebuilds one
    from what a store kept, without validating again: only valid values were ever stored, and
    checking every row of every page again would cost more than the rest of reading it."""

    __slots__ = ("value",)
    value: T

    def __init__(self, raw: Any) -> None:
        object.__setattr__(self, "value", self._validated(raw))

    @classmethod
    def _validated(cls, raw: Any) -> T:
        raise NotImplementedError

    @classmethod
    def stored(cls, value: T) -> Self:
        instance = object.__new__(cls)
        object.__setattr__(instance, "value", value)
        return instance

    def _identity(self) -> object:
        return self.value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ValueObject) or type(other) is not type(self):
            return NotImplemented
        return bool(self._identity() == other._identity())

    def __hash__(self) -> int:
        return hash((type(self), self._identity()))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self).stored, (self.value,))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.value!r})"

    def __str__(self) -> str:
        return str(self.value)


class Email(ValueObject[str]):
    """An address, stored lower-cased so that uniqueness and look-up ignore case."""

    __slots__ = ()

    @classmethod
    def _validated(cls, raw: Any) -> str:
        if not isinstance(raw, str):
            raise InvalidEmail("must be a string")
        value = raw.strip(_ASCII_WHITESPACE).lower()
        if len(value) > MAX_EMAIL_LENGTH:
            raise InvalidEmail(f"must be at most {MAX_EMAIL_LENGTH} characters")
        match = _EMAIL_RE.fullmatch(value)
        if match is None:
            raise InvalidEmail("is not a valid email address")
        if len(match.group(1)) > MAX_LOCAL_PART_LENGTH:
            raise InvalidEmail(
                f"the part before @ must be at most {MAX_LOCAL_PART_LENGTH} characters"
            )
        return value


class Username(ValueObject[str]):
    """A handle shown as typed; two usernames are the same if they differ only in case."""

    __slots__ = ()

    @classmethod
    def _validated(cls, raw: Any) -> str:
        if not isinstance(raw, str) or _USERNAME_RE.fullmatch(raw) is None:
            raise InvalidUsername(
                f"must be {MIN_USERNAME_CHARS} to {MAX_USERNAME_CHARS} characters of letters, "
                "digits, '_', '.' or '-'"
            )
        return raw

    @property
    def key(self) -> str:
        """What uniqueness and look-ups compare."""
        return self.value.lower()

    def _identity(self) -> object:
        return self.key


class PlainPassword(ValueObject[str]):
    """A password as typed, before hashing; never shown in a repr or an error."""

    __slots__ = ()

    @classmethod
    def _validated(cls, raw: Any) -> str:
        if not isinstance(raw, str):
            raise InvalidPassword("must be a string")
        if len(raw) < MIN_PASSWORD_CHARS:
            raise InvalidPassword(f"must be at least {MIN_PASSWORD_CHARS} characters")
        if _has_surrogate(raw):
            raise InvalidPassword("must be valid Unicode text")
        if len(raw.encode("utf-8")) > MAX_PASSWORD_BYTES:
            raise PasswordTooLong
        return raw

    def __repr__(self) -> str:
        return "PlainPassword(<hidden>)"

    def __str__(self) -> str:
        return "<hidden>"


class Price(ValueObject[Decimal]):
    """An exact amount of money: at most two decimals, from 0 to one billion."""

    __slots__ = ()

    @classmethod
    def _validated(cls, raw: Any) -> Decimal:
        if isinstance(raw, bool) or not isinstance(raw, Decimal | int | str):
            raise InvalidPrice("must be a decimal number")
        try:
            amount = Decimal(raw)
        except (InvalidOperation, ValueError):
            raise InvalidPrice("must be a decimal number") from None
        if not amount.is_finite():
            raise InvalidPrice("must be a finite number")
        if not MIN_PRICE <= amount <= MAX_PRICE:
            raise InvalidPrice(f"must be between {MIN_PRICE} and {MAX_PRICE}")
        cents = amount.quantize(_CENT)
        if cents != amount:
            raise InvalidPrice(f"must have at most {PRICE_PLACES} decimal places")
        return cents.copy_abs() if cents.is_zero() else cents  # -0.00 is 0


class Title(ValueObject[str]):
    """An item's one-line title, stored trimmed."""

    __slots__ = ()

    @classmethod
    def _validated(cls, raw: Any) -> str:
        if not isinstance(raw, str):
            raise InvalidTitle("must be a string")
        value = raw.strip(TITLE_WHITESPACE)
        if not 1 <= len(value) <= MAX_TITLE_CHARS:
            raise InvalidTitle(f"must be 1 to {MAX_TITLE_CHARS} characters after trimming")
        if _has_surrogate(value) or _has_control(value):
            raise InvalidTitle("must not contain control characters")
        if _has_invisible(value):
            raise InvalidTitle("must not contain invisible or text-direction characters")
        return value


class Description(ValueObject[str]):
    """An item's free text; line breaks and tabs are allowed, other control characters are not."""

    __slots__ = ()

    @classmethod
    def _validated(cls, raw: Any) -> str:
        if not isinstance(raw, str):
            raise InvalidDescription("must be a string")
        if len(raw) > MAX_DESCRIPTION_CHARS:
            raise InvalidDescription(f"must be at most {MAX_DESCRIPTION_CHARS} characters")
        if _has_surrogate(raw) or _has_control(raw, _MULTILINE_CONTROLS):
            raise InvalidDescription(
                "must not contain control characters other than line breaks and tabs"
            )
        if _has_invisible(raw):
            raise InvalidDescription("must not contain invisible or text-direction characters")
        return raw
