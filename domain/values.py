"""Value objects: each validates once in its constructor, so a held value is always a valid one."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from domain.errors import (
    InvalidDescription,
    InvalidEmail,
    InvalidPassword,
    InvalidPrice,
    InvalidTitle,
    InvalidUsername,
    PasswordTooLong,
)

# A pragmatic subset of RFC 5322: dot-atom local part and an LDH domain with an alphabetic or
# punycode TLD. ASCII only, so look-alike letters from other scripts cannot shadow an account.
_LOCAL = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_TLD = r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})"
_EMAIL_RE = re.compile(rf"({_LOCAL})@((?:{_LABEL}\.)+{_TLD})", re.ASCII)
_USERNAME_RE = re.compile(r"[A-Za-z0-9_.-]{3,32}", re.ASCII)

MAX_EMAIL_LENGTH = 254
MAX_LOCAL_PART_LENGTH = 64
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_BYTES = 72
MAX_TITLE_CHARS = 200
MAX_DESCRIPTION_CHARS = 2000
MAX_PRICE = Decimal("1000000000")
_CENT = Decimal("0.01")
_MULTILINE_CONTROLS = frozenset("\t\n\r")
# Only ASCII white space is trimmed from an address: anything more exotic is suspicious, not noise.
_ASCII_WHITESPACE = " \t\n\r\f\v"
# What a title is trimmed of: ECMAScript's white space and line terminators, the set JSON Schema
# patterns mean, so the API's published pattern and this rule accept exactly the same titles.
TITLE_WHITESPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)


def _has_surrogate(text: str) -> bool:
    """Lone surrogates (possible in JSON `\\ud800`) cannot be stored as UTF-8."""
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def _has_control(text: str, allowed: frozenset[str] = frozenset()) -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


@dataclass(frozen=True, slots=True)
class Email:
    """An address, stored lower-cased so that uniqueness and look-up ignore case."""

    value: str

    def __init__(self, raw: str) -> None:
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
        object.__setattr__(self, "value", value)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Username:
    """A handle shown as typed; two usernames are the same if they differ only in case."""

    value: str = field(compare=False)
    key: str = field(repr=False)

    def __init__(self, raw: str) -> None:
        if not isinstance(raw, str) or _USERNAME_RE.fullmatch(raw) is None:
            raise InvalidUsername("must be 3 to 32 characters of letters, digits, '_', '.' or '-'")
        object.__setattr__(self, "value", raw)
        object.__setattr__(self, "key", raw.lower())

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class PlainPassword:
    """A password as typed, before hashing; never shown in a repr or an error."""

    value: str = field(repr=False)

    def __init__(self, raw: str) -> None:
        if not isinstance(raw, str):
            raise InvalidPassword("must be a string")
        if len(raw) < MIN_PASSWORD_CHARS:
            raise InvalidPassword(f"must be at least {MIN_PASSWORD_CHARS} characters")
        if _has_surrogate(raw):
            raise InvalidPassword("must be valid Unicode text")
        if len(raw.encode("utf-8")) > MAX_PASSWORD_BYTES:
            raise PasswordTooLong
        object.__setattr__(self, "value", raw)


@dataclass(frozen=True, slots=True)
class Price:
    """An exact amount of money: at most two decimals, from 0 to one billion."""

    amount: Decimal

    def __init__(self, raw: Decimal | int | str) -> None:
        if isinstance(raw, bool) or not isinstance(raw, Decimal | int | str):
            raise InvalidPrice("must be a decimal number")
        try:
            amount = Decimal(raw)
        except (InvalidOperation, ValueError):
            raise InvalidPrice("must be a decimal number") from None
        if not amount.is_finite():
            raise InvalidPrice("must be a finite number")
        if not 0 <= amount <= MAX_PRICE:
            raise InvalidPrice("must be between 0 and 1000000000")
        cents = amount.quantize(_CENT)
        if cents != amount:
            raise InvalidPrice("must have at most 2 decimal places")
        object.__setattr__(self, "amount", cents)

    def __str__(self) -> str:
        return str(self.amount)


@dataclass(frozen=True, slots=True)
class Title:
    """An item's one-line title, stored trimmed."""

    value: str

    def __init__(self, raw: str) -> None:
        if not isinstance(raw, str):
            raise InvalidTitle("must be a string")
        value = raw.strip(TITLE_WHITESPACE)
        if not 1 <= len(value) <= MAX_TITLE_CHARS:
            raise InvalidTitle(f"must be 1 to {MAX_TITLE_CHARS} characters after trimming")
        if _has_surrogate(value) or _has_control(value):
            raise InvalidTitle("must not contain control characters")
        object.__setattr__(self, "value", value)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Description:
    """An item's free text; line breaks and tabs are allowed, other control characters are not."""

    value: str

    def __init__(self, raw: str) -> None:
        if not isinstance(raw, str):
            raise InvalidDescription("must be a string")
        if len(raw) > MAX_DESCRIPTION_CHARS:
            raise InvalidDescription(f"must be at most {MAX_DESCRIPTION_CHARS} characters")
        if _has_surrogate(raw) or _has_control(raw, _MULTILINE_CONTROLS):
            raise InvalidDescription(
                "must not contain control characters other than line breaks and tabs"
            )
        object.__setattr__(self, "value", raw)

    def __str__(self) -> str:
        return self.value
