"""Account recovery and email verification over the API: asking for a mailed link, and using
the token it carries. The pages the links open are in `pages.py`."""

from __future__ import annotations

import logging

from fastapi import APIRouter, BackgroundTasks, status

from application.errors import HashingBusy, MailRequestThrottled, NotAuthenticated
from domain.errors import InvalidAccountToken
from domain.values import Email
from entrypoints.container import Container
from entrypoints.http.dependencies import ClientAddress, CurrentCaller, Services
from entrypoints.http.exact_json import ExactJsonRoute
from entrypoints.http.openapi import problems
from entrypoints.http.problems import VALIDATION
from entrypoints.http.schemas import (
    Accepted,
    EmailVerification,
    PasswordResetConfirm,
    PasswordResetRequest,
)

logger = logging.getLogger("itemhub.mail")
# ExactJsonRoute: its JSON reading answers any malformed body (not UTF-8, too many fields) 422.
router = APIRouter(prefix="/auth", tags=["auth"], route_class=ExactJsonRoute)

RESET_ACCEPTED = Accepted(
    detail="If an active account has this address, a link to reset its password is on its way."
)
RESEND_ACCEPTED = Accepted(
    detail="Unless your address is verified already, a new verification link is on its way."
)


async def _mail_reset_link(services: Container, email: Email) -> None:
    """Runs after the answer is sent, so the answer's timing says nothing about the account.
    A failure here reaches no client; it is logged for the operator."""
    try:
        await services.request_password_reset()(email)
    except Exception:
        logger.exception("could not queue a password reset mail")


@router.post(
    "/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="request_password_reset",
    summary="Ask for a password reset link",
    responses=problems(VALIDATION, MailRequestThrottled),
)
async def request_password_reset(
    body: PasswordResetRequest,
    address: ClientAddress,
    services: Services,
    background: BackgroundTasks,
) -> Accepted:
    """Mail a link to reset the password to this address, if an active account has it. The
    answer is the same, and as quick, either way. Limited per client address and per email
    address, whether or not an account has it."""
    await services.request_password_reset().admit(body.email, address)
    background.add_task(_mail_reset_link, services, body.email)
    return RESET_ACCEPTED


@router.post(
    "/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="confirm_password_reset",
    summary="Set a new password with a reset link's token",
    responses=problems(InvalidAccountToken, VALIDATION, HashingBusy),
)
async def confirm_password_reset(body: PasswordResetConfirm, services: Services) -> None:
    """Set a new password with the token from a reset link. Every session of the account
    ends, every other reset link stops working, and the account's address gets a notice.
    A token works once, within its lifetime (`ITEMHUB_PASSWORD_RESET_MINUTES`)."""
    await services.confirm_password_reset()(body.token, body.new_password)


@router.post(
    "/verify-email",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="verify_email",
    summary="Verify an email address with a link's token",
    responses=problems(InvalidAccountToken, VALIDATION),
)
async def verify_email(body: EmailVerification, services: Services) -> None:
    """Mark the account's address verified with the token from a verification link. It works
    once, within its lifetime, and only while the account still has the address it was sent
    to."""
    await services.verify_email()(body.token)


@router.post(
    "/verify-email/resend",
    status_code=status.HTTP_202_ACCEPTED,
    operation_id="resend_verification_email",
    summary="Mail a new verification link",
    responses=problems(NotAuthenticated, MailRequestThrottled),
)
async def resend_verification_email(
    caller: CurrentCaller, address: ClientAddress, services: Services
) -> Accepted:
    """Mail a new verification link to the caller's address, unless it is verified already.
    Earlier links keep working until they expire."""
    await services.resend_verification()(caller, address)
    return RESEND_ACCEPTED
