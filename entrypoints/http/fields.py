"""Request field types that parse JSON straight into domain value objects.

The domain's value objects are the one source of validation rules; these types only carry
them to pydantic (so a bad field is a 422 naming it) and describe them in the OpenAPI schema.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import PlainValidator, WithJsonSchema

from domain.errors import InvalidValue
from domain.values import (
    TITLE_WHITESPACE,
    Description,
    Email,
    PlainPassword,
    Price,
    Title,
    Username,
)

V = TypeVar("V")

# JSON Schema patterns saying what the value objects accept. Classes are spelled out rather than
# written as \s, which Python's and ECMAScript's regex engines read differently.
_SPACE = "".join(f"\\u{ord(ch):04x}" for ch in TITLE_WHITESPACE)
# C0, DEL and C1. Lone surrogates are refused too, but a pattern naming them does not compile
# in engines that work on Unicode scalar values (Rust's regex), which then ignore it whole.
_CONTROL = "\\u0000-\\u001f\\u007f-\\u009f"
_VISIBLE = f"[^{_SPACE}{_CONTROL}]"
TITLE_PATTERN = f"^[{_SPACE}]*{_VISIBLE}(?:[^{_CONTROL}]{{0,198}}{_VISIBLE})?[{_SPACE}]*$"
# One pattern carries the whole rule, length included.
DESCRIPTION_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]{0,2000}$"


def _domain(factory: Callable[[Any], V]) -> Callable[[Any], V]:
    def validate(raw: Any) -> V:
        try:
            return factory(raw)
        except InvalidValue as error:
            raise ValueError(error.reason) from None

    return validate


def _price(raw: Any) -> Price:
    # Request JSON is parsed with Decimal for fractions (see ExactJsonRoute): no float rounding.
    if isinstance(raw, bool) or not isinstance(raw, Decimal | int):
        raise ValueError("must be a number")
    return _domain(Price)(raw)


EmailField = Annotated[
    Email,
    PlainValidator(_domain(Email)),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 254}),
]
UsernameField = Annotated[
    Username,
    PlainValidator(_domain(Username)),
    WithJsonSchema({"type": "string", "pattern": "^[A-Za-z0-9_.-]{3,32}$"}),
]
PasswordField = Annotated[
    PlainPassword,
    PlainValidator(_domain(PlainPassword)),
    WithJsonSchema(
        {
            "type": "string",
            "format": "password",
            "minLength": 8,
            "maxLength": 72,
            "description": "8 characters to 72 bytes of UTF-8",
        }
    ),
]
TitleField = Annotated[
    Title,
    PlainValidator(_domain(Title)),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": TITLE_PATTERN,
            "description": "1 to 200 characters after trimming white space; no control characters.",
        }
    ),
]
DescriptionField = Annotated[
    Description,
    PlainValidator(_domain(Description)),
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
    PlainValidator(_price),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1_000_000_000, "multipleOf": 0.01}),
]
