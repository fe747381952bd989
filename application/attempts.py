"""What counts as an attempt, and against which quotas: login, registration and mail limits.

A login attempt counts against its login name as it would be stored (trimmed, lower-cased),
from this client, and against the client alone. Counting by name, whether or not an account
has it, means a 429 never tells which names exist or which email and username belong
together. An IPv6 client counts by its /64, the block one subscriber is usually given.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from application.ports import Quota

_ASCII_WHITESPACE = " \t\n\r\f\v"
HOUR = 3600


@dataclass(frozen=True, slots=True)
class LoginLimits:
    per_name: int = 10
    """Failed logins for one name from one client within the window."""
    per_client: int = 100
    """Failed logins from one client, whatever the name, within the window."""
    window_seconds: int = 300


def client_key(address: str) -> str:
    """The address a client is counted by: itself, or for IPv6 its /64."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # not an IP (a test client, a unix socket): counted as given
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def stored_form(login: str) -> str:
    return login.strip(_ASCII_WHITESPACE).lower()


def login_quotas(login: str, address: str, limits: LoginLimits) -> tuple[Quota, Quota]:
    """(this name from this client, this client)."""
    client = client_key(address)
    return (
        Quota(f"login:{client}:{stored_form(login)}", limits.per_name, limits.window_seconds),
        Quota(f"login:{client}", limits.per_client, limits.window_seconds),
    )


def registration_quota(address: str, per_hour: int) -> Quota:
    return Quota(f"register:{client_key(address)}", per_hour, HOUR)


@dataclass(frozen=True, slots=True)
class MailLimits:
    """Reset and verification mails asked for within an hour: per client address, and per
    email address (a reset) or account (a resend), so nobody's inbox can be flooded."""

    per_client: int = 20
    per_recipient: int = 5


def mail_request_quotas(
    kind: str, recipient: str, address: str, limits: MailLimits
) -> tuple[Quota, Quota]:
    """(this recipient, this client) for `kind` of request; `recipient` as stored."""
    return (
        Quota(f"{kind}:to:{stored_form(recipient)}", limits.per_recipient, HOUR),
        Quota(f"{kind}:{client_key(address)}", limits.per_client, HOUR),
    )
