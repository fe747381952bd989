"""Request and response bodies of the API.

Requests turn into the core's own types (`ItemCreate.details()`, `body.sent()`); responses are
read from entities and read models by attribute name, so routes return those and FastAPI
shapes them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import (
    AliasGenerator,
    AliasPath,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema

from domain.item import ItemDetails
from entrypoints.http.fields import (
    DescriptionField,
    EmailField,
    PasswordField,
    PriceField,
    TitleField,
    UsernameField,
)


class RequestBody(BaseModel):
    """Unknown fields are refused, so a typo or a mass-assignment attempt is a 422."""

    model_config = ConfigDict(extra="forbid")

    def sent(self) -> dict[str, Any]:
        """The fields the client sent, by name, as the core's values."""
        return {name: getattr(self, name) for name in self.model_fields_set}


def _not_null(value: object) -> object:
    """A field left out means 'unchanged'; sent as null it is an error (except a description).
    The schema says the same: these fields are optional but not nullable (SkipJsonSchema)."""
    if value is None:
        raise ValueError("may be left out, but not null")
    return value


class UserCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "alice@example.com",
                    "username": "alice",
                    "password": "correct horse battery",
                }
            ]
        }
    )
    email: EmailField
    username: UsernameField
    password: PasswordField


class UserUpdate(RequestBody):
    """Any subset; `is_active` and `is_superuser` are for superusers only."""

    # The example changes nothing of the registration example's account: an example run as-is
    # must not rename, lock out or re-password the caller.
    model_config = ConfigDict(json_schema_extra={"examples": [{"username": "alice"}]})
    email: EmailField | SkipJsonSchema[None] = None
    username: UsernameField | SkipJsonSchema[None] = None
    password: PasswordField | SkipJsonSchema[None] = None
    current_password: str | None = Field(default=None, max_length=1000)
    is_active: StrictBool | SkipJsonSchema[None] = None
    is_superuser: StrictBool | SkipJsonSchema[None] = None

    _no_nulls = field_validator(
        "email", "username", "password", "is_active", "is_superuser", mode="before"
    )(_not_null)


class UserRead(BaseModel):
    id: int
    email: EmailField
    username: UsernameField
    is_active: bool
    is_superuser: bool
    email_verified: bool
    created_at: datetime
    updated_at: datetime


class UserPublic(BaseModel):
    id: int
    username: UsernameField


class ItemCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"title": "Desk lamp", "description": "Brass, 1970s", "price": 49.5}]
        }
    )
    title: TitleField
    description: DescriptionField | None = None
    price: PriceField

    def details(self) -> ItemDetails:
        return ItemDetails(**dict(self))


class ItemUpdate(RequestBody):
    """Any subset; `description: null` clears the description."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"price": 39.9}, {"description": None}]}
    )
    title: TitleField | SkipJsonSchema[None] = None
    description: DescriptionField | None = None
    price: PriceField | SkipJsonSchema[None] = None

    _no_nulls = field_validator("title", "price", mode="before")(_not_null)


class ItemRead(BaseModel):
    id: int
    title: TitleField
    description: DescriptionField | None
    price: PriceField
    user_id: int = Field(validation_alias="owner_id")
    created_at: datetime
    updated_at: datetime


def _from_the_item(name: str) -> str | AliasPath:
    """The read model holds an item and its owner (`ItemWithOwner`); the representation is
    the item's fields with the owner beside them: pydantic reads `item.<field>` itself."""
    return name if name == "owner" else AliasPath("item", name)


class ItemReadWithOwner(ItemRead):
    model_config = ConfigDict(alias_generator=AliasGenerator(validation_alias=_from_the_item))

    user_id: int = Field(validation_alias=AliasPath("item", "owner_id"))
    owner: UserPublic


class UserPage(BaseModel):
    data: list[UserRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class ItemPage(BaseModel):
    data: list[ItemReadWithOwner]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class Token(BaseModel):
    access_token: str = Field(description="Send as `Authorization: Bearer <access_token>`.")
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str = Field(
        description="Exchange it at this endpoint (`grant_type=refresh_token`) for new tokens "
        "before the session's idle expiry; it works once."
    )


def _from_the_session(name: str) -> str | AliasPath:
    """The read model holds a session and whether it is the caller's (`ListedSession`)."""
    return name if name == "current" else AliasPath("session", name)


class SessionRead(BaseModel):
    model_config = ConfigDict(alias_generator=AliasGenerator(validation_alias=_from_the_session))

    id: str = Field(description="Opaque; `DELETE /users/me/sessions/{id}` ends it.")
    created_at: datetime = Field(description="The password login that started it.")
    last_used_at: datetime = Field(description="Its last login or refresh.")
    expires_at: datetime = Field(description="When it ends unless refreshed before.")
    user_agent: str | None = Field(description="The login's User-Agent, cut to 200 characters.")
    ip_address: str | None = Field(description="The address the login came from.")
    current: bool = Field(description="Whether it is the session of the token asking.")


class SessionPage(BaseModel):
    data: list[SessionRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class Health(BaseModel):
    status: Literal["ok"] = "ok"


# Issued link tokens are 43 characters; anything this long is refused before it is read.
MAX_LINK_TOKEN_CHARS = 1024
LinkToken = Field(
    max_length=MAX_LINK_TOKEN_CHARS,
    description="The `token` parameter of the link in the mail.",
)


class PasswordResetRequest(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"email": "alice@example.com"}]})
    email: EmailField


class PasswordResetConfirm(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "token": "the token from the link in the mail",
                    "new_password": "a new passphrase",
                }
            ]
        }
    )
    token: str = LinkToken
    new_password: PasswordField


class EmailVerification(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"token": "the token from the link in the mail"}]}
    )
    token: str = LinkToken


class Accepted(BaseModel):
    """A request taken for processing; what happens next is told by mail, if at all."""

    detail: str
