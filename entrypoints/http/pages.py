"""The two pages mailed links open: `/reset-password` and `/verify-email` (no `/api/v1`).

Plain HTML forms, no JavaScript. Opening a link changes nothing (mail scanners open links
too): the page only checks the token and shows a form, and the action happens when the
person submits it. The form posts back only the token the link carried, so another site
cannot make a visitor's browser do anything with it (nothing here reads a cookie). Answers
are never cached, never framed, and send no Referer (the address holds the token).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from application.errors import HashingBusy
from application.letters import RESET_PATH, VERIFY_PATH
from domain.errors import InvalidAccountToken, InvalidPassword
from domain.values import MIN_PASSWORD_CHARS, PlainPassword
from entrypoints.http.dependencies import Services
from entrypoints.http.schemas import MAX_LINK_TOKEN_CHARS

router = APIRouter(include_in_schema=False)
_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True),
)
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}

RESET_TITLE = "Choose a new password"
VERIFY_TITLE = "Verify your email address"
LINK_PROBLEMS = {
    InvalidAccountToken.USED: "This link was used already. Each link works once.",
    InvalidAccountToken.EXPIRED: "This link has expired.",
    InvalidAccountToken.STALE: "This link is no longer valid for your account.",
    InvalidAccountToken.UNKNOWN: "This link is not valid. Check that you opened it whole.",
}
ASK_AGAIN = {
    RESET_PATH: "Ask for a new link where you log in (\u201cForgot your password?\u201d).",
    VERIFY_PATH: "Ask for a new link from your account (resend the verification mail).",
}

Token = Annotated[str, Query(max_length=MAX_LINK_TOKEN_CHARS)]
FormToken = Annotated[str, Form(max_length=MAX_LINK_TOKEN_CHARS)]


def _page(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = _templates.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code, headers=HEADERS)


def _link_failed(error: InvalidAccountToken, path: str, title: str) -> HTMLResponse:
    return _page(
        "outcome.html",
        400,
        title=title,
        failed=True,
        message=LINK_PROBLEMS.get(error.reason, LINK_PROBLEMS[InvalidAccountToken.UNKNOWN]),
        next_step=ASK_AGAIN[path],
    )


def _reset_form(token: str, status_code: int = 200, error: str | None = None) -> HTMLResponse:
    return _page(
        "reset_password.html",
        status_code,
        title=RESET_TITLE,
        token=token,
        action=RESET_PATH,
        min_chars=MIN_PASSWORD_CHARS,
        error=error,
    )


@router.get(RESET_PATH, response_class=HTMLResponse)
async def reset_password_page(services: Services, token: Token = "") -> HTMLResponse:
    try:
        await services.confirm_password_reset().check(token)
    except InvalidAccountToken as error:
        return _link_failed(error, RESET_PATH, RESET_TITLE)
    return _reset_form(token)


@router.post(RESET_PATH, response_class=HTMLResponse)
async def reset_password(
    services: Services,
    token: FormToken = "",
    new_password: Annotated[str, Form(max_length=1000)] = "",
    repeat_password: Annotated[str, Form(max_length=1000)] = "",
) -> HTMLResponse:
    if new_password != repeat_password:
        return _reset_form(token, 422, "The two passwords differ. Type the same one twice.")
    try:
        password = PlainPassword(new_password)
        await services.confirm_password_reset()(token, password)
    except InvalidPassword as error:
        return _reset_form(token, 422, f"That password will not do: it {error.reason}.")
    except InvalidAccountToken as error:
        return _link_failed(error, RESET_PATH, RESET_TITLE)
    except HashingBusy:
        return _reset_form(token, 503, "We are very busy right now. Please try again shortly.")
    return _page(
        "outcome.html",
        title="Your password is changed",
        message="Your new password is set, and you were signed out everywhere.",
        next_step="Log in with your new password.",
    )


@router.get(VERIFY_PATH, response_class=HTMLResponse)
async def verify_email_page(services: Services, token: Token = "") -> HTMLResponse:
    try:
        await services.verify_email().check(token)
    except InvalidAccountToken as error:
        return _link_failed(error, VERIFY_PATH, VERIFY_TITLE)
    return _page("verify_email.html", title=VERIFY_TITLE, token=token, action=VERIFY_PATH)


@router.post(VERIFY_PATH, response_class=HTMLResponse)
async def verify_email(services: Services, token: FormToken = "") -> HTMLResponse:
    try:
        await services.verify_email()(token)
    except InvalidAccountToken as error:
        return _link_failed(error, VERIFY_PATH, VERIFY_TITLE)
    return _page(
        "outcome.html",
        title="Your email address is verified",
        message="Thank you: your email address is verified.",
    )
