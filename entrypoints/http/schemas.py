"""Request and response bodies of the API, kept apart from entities and table records."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StrictBool, field_validator
from pydantic.json_schema import SkipJsonSchema

from application.paging import Page
from application.read_models import ItemWithOwner
from domain.item import Item
from domain.user import User
from entrypoints.http.fields import (
    DescriptionField,
    EmailField,
    PasswordField,
    PriceField,
    TitleField,
    UsernameField,
)

# Money leaves as a JSON number (the contract); two decimals fit a double exactly when printed.
Money = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


class RequestBody(BaseModel):
    """Unknown fields are refused, so a typo or a mass-assignment attempt is a 422."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)


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

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"username": "alice_w"},
                {"password": "a new passphrase", "current_password": "correct horse battery"},
            ]
        }
    )
    email: EmailField | SkipJsonSchema[None] = None
    username: UsernameField | SkipJsonSchema[None] = None
    password: PasswordField | SkipJsonSchema[None] = None
    current_password: str | None = Field(default=None, max_length=1000)
    is_active: StrictBool | SkipJsonSchema[None] = None
    is_superuser: StrictBool | SkipJsonSchema[None] = None

    _no_nulls = field_validator(
        "email", "username", "password", "is_active", "is_superuser", mode="before"
    )(_not_null)


class ItemCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"title": "Desk lamp", "description": "Brass, 1970s", "price": 49.5}]
        }
    )
    title: TitleField
    description: DescriptionField | None = None
    price: PriceField


class ItemUpdate(RequestBody):
    """Any subset; `description: null` clears the description."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"price": 39.9}, {"description": None}]}
    )
    title: TitleField | SkipJsonSchema[None] = None
    description: DescriptionField | None = None
    price: PriceField | SkipJsonSchema[None] = None

    _no_nulls = field_validator("title", "price", mode="before")(_not_null)


class UserRead(BaseModel):
    id: int
    email: str
    username: str
    is_active: bool
    is_superuser: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, user: User) -> UserRead:
        return cls(
            id=user.id,
            email=user.email.value,
            username=user.username.value,
            is_active=user.is_active,
            is_superuser=user.is_superuser,
            created_at=user.created_at,
            updated_at=user.updated_at,
        )


class UserPublic(BaseModel):
    id: int
    username: str


class ItemRead(BaseModel):
    id: int
    title: str
    description: str | None
    price: Money
    user_id: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, item: Item) -> ItemRead:
        return cls(
            id=item.id,
            title=item.title.value,
            description=item.description.value if item.description is not None else None,
            price=item.price.amount,
            user_id=item.owner_id,
            created_at=item.created_at,
            updated_at=item.updated_at,
        )


class ItemReadWithOwner(ItemRead):
    owner: UserPublic

    @classmethod
    def of_view(cls, item: ItemWithOwner) -> ItemReadWithOwner:
        return cls(
            id=item.id,
            title=item.title,
            description=item.description,
            price=item.price,
            user_id=item.owner_id,
            created_at=item.created_at,
            updated_at=item.updated_at,
            owner=UserPublic(id=item.owner.id, username=item.owner.username),
        )


class UserPage(BaseModel):
    data: list[UserRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )

    @classmethod
    def of(cls, page: Page[User]) -> UserPage:
        return cls(data=[UserRead.of(user) for user in page.data], next_cursor=page.next_cursor)


class ItemPage(BaseModel):
    data: list[ItemReadWithOwner]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )

    @classmethod
    def of(cls, page: Page[ItemWithOwner]) -> ItemPage:
        return cls(
            data=[ItemReadWithOwner.of_view(item) for item in page.data],
            next_cursor=page.next_cursor,
        )


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int = Field(description="Seconds until the token expires.")


class Health(BaseModel):
    status: Literal["ok"] = "ok"
