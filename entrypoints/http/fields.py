"""HTTP field types for the domain's value objects, in requests and responses alike.

The value objects hold the rules; these types carry them to pydantic (a bad field is a 422
naming it), write them back as plain JSON, and describe them in the OpenAPI document with the
domain's own limits.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from operator import attrgetter
from typing import Annotated, Any, TypeVar

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

from domain.errors import InvalidValue
from domain.values import (
    INVISIBLE_RANGES,
    MAX_DESCRIPTION_CHARS,
    MAX_EMAIL_LENGTH,
    MAX_PASSWORD_BYTES,
    MAX_PRICE,
    MAX_TITLE_CHARS,
    MIN_PASSWORD_CHARS,
    MIN_PRICE,
    PRICE_PLACES,
    TITLE_WHITESPACE,
    USERNAME_PATTERN,
    Description,
    Email,
    PlainPassword,
    Price,
    Title,
    Username,
    ValueObject,
)

V = TypeVar("V", bound=ValueObject[Any])

# JSON Schema patterns saying what the value objects accept. Classes are spelled out rather than
# written as \s, which Python's and ECMAScript's regex engines read differently.
_SPACE = "".join(f"\\u{ord(ch):04x}" for ch in TITLE_WHITESPACE)
_INVISIBLE = "".join(
    f"\\u{low:04x}-\\u{high:04x}" if low != high else f"\\u{low:04x}"
    for low, high in (*INVISIBLE_RANGES, (0xFEFF, 0xFEFF))
)
# C0, DEL and C1. Lone surrogates are refused too, but a pattern naming them does not compile
# in engines that work on Unicode scalar values (Rust's regex), which then ignore it whole.
_CONTROL = "\\u0000-\\u001f\\u007f-\\u009f"
_REFUSED = f"{_CONTROL}{_INVISIBLE}"
_VISIBLE = f"[^{_SPACE}{_REFUSED}]"
TITLE_PATTERN = (
    f"^[{_SPACE}]*{_VISIBLE}(?:[^{_REFUSED}]{{0,{MAX_TITLE_CHARS - 2}}}{_VISIBLE})?[{_SPACE}]*$"
)
# One pattern carries the whole rule, length included.
DESCRIPTION_PATTERN = (
    f"^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f{_INVISIBLE}]"
    f"{{0,{MAX_DESCRIPTION_CHARS}}}$"
)
PRICE_SCHEMA = {
    "type": "number",
    "minimum": int(MIN_PRICE),
    "maximum": int(MAX_PRICE),
    "multipleOf": float(Decimal(1).scaleb(-PRICE_PLACES)),
}


def _parser(value_type: type[V], accepts: Callable[[Any], bool] = lambda _: True) -> Any:
    """A pydantic validator: a value object passes as it is (a response being shaped), anything
    else is validated by the value object (a request); its reason becomes the 422's message."""

    def parse(raw: Any) -> V:
        if isinstance(raw, value_type):
            return raw
        if not accepts(raw):
            raise ValueError("must be a number")
        try:
            return value_type(raw)
        except InvalidValue as error:
            raise ValueError(error.reason) from None

    return PlainValidator(parse)


# Written back as the plain value. attrgetter is C: no Python call per value on every page;
# `return_type` has pydantic convert it (a Price's Decimal to a JSON number: two decimals print
# exactly as a double, and the contract says number).
_AS_TEXT = PlainSerializer(attrgetter("value"), return_type=str)
_AS_NUMBER = PlainSerializer(attrgetter("value"), return_type=float)


def _is_json_number(raw: Any) -> bool:
    # Request JSON is parsed with Decimal for fractions (see exact_json.py): no float rounding.
    return not isinstance(raw, bool) and isinstance(raw, Decimal | int)


EmailField = Annotated[
    Email,
    _parser(Email),
    _AS_TEXT,
    WithJsonSchema({"type": "string", "format": "email", "maxLength": MAX_EMAIL_LENGTH}),
]
UsernameField = Annotated[
    Username,
    _parser(Username),
    _AS_TEXT,
    WithJsonSchema({"type": "string", "pattern": f"^{USERNAME_PATTERN}$"}),
]
PasswordField = Annotated[
    PlainPassword,
    _parser(PlainPassword),
    WithJsonSchema(
        {
            "type": "string",
            "format": "password",
            "minLength": MIN_PASSWORD_CHARS,
            "maxLength": MAX_PASSWORD_BYTES,
            "description": (
                f"{MIN_PASSWORD_CHARS} characters to {MAX_PASSWORD_BYTES} bytes of UTF-8"
            ),
        }
    ),
]
TitleField = Annotated[
    Title,
    _parser(Title),
    _AS_TEXT,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": TITLE_PATTERN,
            "description": f"1 to {MAX_TITLE_CHARS} characters after trimming white space; "
            "no control characters.",
        }
    ),
]
DescriptionField = Annotated[
    Description,
    _parser(Description),
    _AS_TEXT,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": DESCRIPTION_PATTERN,
            "description": "Line breaks and tabs allowed; other control characters are not.",
        }
    ),
]
PriceField = Annotated[
    Price,
    _parser(Price, _is_json_number),
    _AS_NUMBER,
    WithJsonSchema(PRICE_SCHEMA),
]
PriceQuery = Annotated[Price, _parser(Price), WithJsonSchema(PRICE_SCHEMA)]
"""A price in a query string, where every value arrives as text."""
