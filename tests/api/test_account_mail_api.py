"""Account recovery and email verification over HTTP, on every adapter: the endpoints, their
problems, the two pages, and the mails as the relay hands them to the (in-memory) mailer."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from adapters.mail.memory import InMemoryMailer
from adapters.security import BcryptPasswordHasher
from tests.api.conftest import PASSWORD, Api, assert_problem, build_api

NEW_PASSWORD = "a brand new passphrase"
LINK = re.compile(r"http://127\.0\.0\.1:8000(/reset-password|/verify-email)\?token=(\S+)")


async def mails(api: Api) -> list[tuple[str, str, str]]:
    """Run the relay; the mails it handed over: (to, subject, body)."""
    await api.container.relay_mail()()
    mailer = api.container.mailer()
    assert isinstance(mailer, InMemoryMailer)
    sent = [(mail.to, mail.subject, mail.body) for mail in mailer.sent]
    mailer.sent.clear()
    return sent


def link_in(body: str) -> tuple[str, str]:
    """(path, token) of the link in a mail."""
    match = LINK.search(body)
    assert match is not None, body
    return match.group(1), parse_qs(urlsplit(match.group(0)).query)["token"][0]


async def reset_token(api: Api, email: str = "alice@example.com") -> str:
    response = await api.client.post("/api/v1/auth/password-reset", json={"email": email})
    assert response.status_code == 202, response.text
    [(to, _, body)] = await mails(api)
    assert to == email
    path, token = link_in(body)
    assert path == "/reset-password"
    return token


async def verification_token(api: Api) -> str:
    [(_, _, body)] = await mails(api)
    path, token = link_in(body)
    assert path == "/verify-email"
    return token


def assert_invalid_token(response: httpx.Response) -> None:
    body = assert_problem(response, 400)
    assert body["type"] == "urn:itemhub:problem:invalid-token"


class TestVerification:
    async def test_registering_mails_a_link_that_verifies_the_address(self, api: Api) -> None:
        user, headers = await api.user("alice")
        assert user["email_verified"] is False
        token = await verification_token(api)
        response = await api.client.post("/api/v1/auth/verify-email", json={"token": token})
        assert response.status_code == 204, response.text
        me = (await api.client.get("/api/v1/users/me", headers=headers)).json()
        assert me["email_verified"] is True
        assert_invalid_token(
            await api.client.post("/api/v1/auth/verify-email", json={"token": token})
        )

    async def test_resend_needs_a_login_and_answers_202(self, api: Api) -> None:
        _, headers = await api.user("alice")
        await mails(api)
        assert_problem(await api.client.post("/api/v1/auth/verify-email/resend"), 401)
        response = await api.client.post("/api/v1/auth/verify-email/resend", headers=headers)
        assert response.status_code == 202
        assert "detail" in response.json()
        await verification_token(api)

    @pytest.mark.parametrize(
        "body",
        [{}, {"token": 7}, {"token": "x" * 2000}, {"token": "t", "extra": 1}],
    )
    async def test_malformed_bodies_are_422(self, api: Api, body: dict[str, Any]) -> None:
        assert_problem(await api.client.post("/api/v1/auth/verify-email", json=body), 422)

    async def test_unknown_tokens_are_400(self, api: Api) -> None:
        for token in ("nope", "A" * 43):
            assert_invalid_token(
                await api.client.post("/api/v1/auth/verify-email", json={"token": token})
            )


class TestPasswordReset:
    async def test_the_answer_is_the_same_whether_or_not_the_account_exists(self, api: Api) -> None:
        await api.user("alice")
        await mails(api)
        answers = [
            await api.client.post("/api/v1/auth/password-reset", json={"email": email})
            for email in ("alice@example.com", "nobody@example.com")
        ]
        assert [a.status_code for a in answers] == [202, 202]
        assert answers[0].content == answers[1].content
        assert [to for to, _, _ in await mails(api)] == ["alice@example.com"]

    async def test_a_reset_sets_the_password_and_signs_out_everywhere(self, api: Api) -> None:
        _, headers = await api.user("alice")
        await mails(api)
        token = await reset_token(api)
        response = await api.client.post(
            "/api/v1/auth/password-reset/confirm",
            json={"token": token, "new_password": NEW_PASSWORD},
        )
        assert response.status_code == 204, response.text
        assert_problem(await api.client.get("/api/v1/users/me", headers=headers), 401)
        old = await api.client.post(
            "/api/v1/auth/token", data={"username": "alice", "password": PASSWORD}
        )
        assert_problem(old, 401)
        await api.login("alice", NEW_PASSWORD)
        [(to, subject, _)] = await mails(api)
        assert (to, subject) == ("alice@example.com", "Your itemhub password was changed")
        assert_invalid_token(
            await api.client.post(
                "/api/v1/auth/password-reset/confirm",
                json={"token": token, "new_password": "and once more"},
            )
        )

    async def test_a_weak_new_password_is_422_and_spends_nothing(self, api: Api) -> None:
        await api.user("alice")
        await mails(api)
        token = await reset_token(api)
        weak = await api.client.post(
            "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "short"}
        )
        assert_problem(weak, 422)
        ok = await api.client.post(
            "/api/v1/auth/password-reset/confirm",
            json={"token": token, "new_password": NEW_PASSWORD},
        )
        assert ok.status_code == 204

    async def test_requests_are_limited_per_email_whether_or_not_it_has_an_account(
        self, api: Api
    ) -> None:
        for email in ("alice@example.com", "nobody@example.com"):
            if email.startswith("alice"):
                await api.user("alice")
            answers = [
                await api.client.post("/api/v1/auth/password-reset", json={"email": email})
                for _ in range(6)
            ]
            assert [a.status_code for a in answers] == [202] * 5 + [429]
            body = assert_problem(answers[-1], 429)
            assert body["type"] == "urn:itemhub:problem:too-many-mail-requests"
            assert int(answers[-1].headers["retry-after"]) > 0

    async def test_an_invalid_email_is_422(self, api: Api) -> None:
        response = await api.client.post("/api/v1/auth/password-reset", json={"email": "nope"})
        assert_problem(response, 422)


@pytest.fixture
async def strict_api(backend: str | None, hasher: BcryptPasswordHasher) -> AsyncIterator[Api]:
    async for each in build_api(backend, hasher, require_verified_email=True):
        yield each


async def test_unverified_accounts_cannot_write_items_when_required(strict_api: Api) -> None:
    api = strict_api
    _, root_headers = await api.user("root", superuser=True)
    item = await api.item(root_headers)
    _, headers = await api.user("alice")
    refused = [
        await api.client.post("/api/v1/items", json={"title": "x", "price": 1}, headers=headers),
        await api.client.patch(f"/api/v1/items/{item['id']}", json={"title": "y"}, headers=headers),
        await api.client.put(f"/api/v1/items/{item['id']}", json={"title": "y"}, headers=headers),
        await api.client.delete(f"/api/v1/items/{item['id']}", headers=headers),
    ]
    for response in refused:
        body = assert_problem(response, 403)
        assert body["type"] == "urn:itemhub:problem:email-not-verified"
    token = await verification_token(api)
    assert (
        await api.client.post("/api/v1/auth/verify-email", json={"token": token})
    ).status_code == 204
    await api.item(headers)


class TestPages:
    async def test_the_reset_page_shows_a_form_and_opening_it_spends_nothing(
        self, api: Api
    ) -> None:
        await api.user("alice")
        await mails(api)
        token = await reset_token(api)
        for _ in range(2):
            page = await api.client.get("/reset-password", params={"token": token})
            assert page.status_code == 200
            assert page.headers["content-type"].startswith("text/html")
            assert "default-src 'none'" in page.headers["content-security-policy"]
            assert page.headers["referrer-policy"] == "no-referrer"
            assert page.headers["cache-control"] == "no-store"
            assert f'name="token" value="{token}"' in page.text
        done = await api.client.post(
            "/reset-password",
            data={"token": token, "new_password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD},
        )
        assert done.status_code == 200
        assert "signed out everywhere" in done.text
        again = await api.client.get("/reset-password", params={"token": token})
        assert again.status_code == 400
        assert "used already" in again.text

    async def test_the_reset_form_says_what_is_wrong_with_a_password(self, api: Api) -> None:
        await api.user("alice")
        await mails(api)
        token = await reset_token(api)
        differ = await api.client.post(
            "/reset-password",
            data={"token": token, "new_password": NEW_PASSWORD, "repeat_password": "other"},
        )
        assert differ.status_code == 422
        assert "differ" in differ.text
        short = await api.client.post(
            "/reset-password",
            data={"token": token, "new_password": "short", "repeat_password": "short"},
        )
        assert short.status_code == 422
        assert "at least 8 characters" in short.text

    async def test_the_verify_page_verifies_only_when_its_button_is_pressed(self, api: Api) -> None:
        _, headers = await api.user("alice")
        token = await verification_token(api)
        page = await api.client.get("/verify-email", params={"token": token})
        assert page.status_code == 200
        assert "Verify my email address" in page.text
        me = (await api.client.get("/api/v1/users/me", headers=headers)).json()
        assert me["email_verified"] is False
        done = await api.client.post("/verify-email", data={"token": token})
        assert done.status_code == 200
        assert "verified" in done.text
        me = (await api.client.get("/api/v1/users/me", headers=headers)).json()
        assert me["email_verified"] is True

    async def test_a_broken_link_says_so(self, api: Api) -> None:
        for path in ("/reset-password", "/verify-email"):
            page = await api.client.get(path, params={"token": "not-a-token"})
            assert page.status_code == 400
            assert "not valid" in page.text
            bare = await api.client.get(path)
            assert bare.status_code == 400
