"""bcrypt and JWT adapters with the real libraries: what they accept and what they refuse."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import threading
from datetime import timedelta
from typing import Any

import jwt
import pytest

from adapters.clock import FrozenClock
from adapters.security import BcryptPasswordHasher, JwtTokenService
from application.errors import InvalidToken
from application.ports import TokenClaims
from domain.errors import InvalidPassword, PasswordTooLong
from tests.unit.core import START, TEST_SECRET


class TestBcryptPasswordHasher:
    async def test_hash_verifies_only_the_same_password(self, hasher: BcryptPasswordHasher) -> None:
        hashed = await hasher.hash("correct horse")
        assert await hasher.verify("correct horse", hashed)
        assert not await hasher.verify("correct horsf", hashed)

    async def test_each_hash_is_salted(self, hasher: BcryptPasswordHasher) -> None:
        assert await hasher.hash("same password") != await hasher.hash("same password")

    async def test_uses_the_configured_cost(self) -> None:
        hasher = BcryptPasswordHasher(rounds=5)
        try:
            assert (await hasher.hash("password1")).startswith("$2b$05$")
        finally:
            hasher.close()

    @pytest.mark.parametrize("rounds", [3, 32])
    def test_refuses_a_cost_bcrypt_does_not_support(self, rounds: int) -> None:
        with pytest.raises(ValueError, match="rounds"):
            BcryptPasswordHasher(rounds=rounds)

    async def test_refuses_to_hash_more_than_72_bytes(self, hasher: BcryptPasswordHasher) -> None:
        assert await hasher.hash("x" * 72)
        with pytest.raises(PasswordTooLong):
            await hasher.hash("x" * 73)
        with pytest.raises(PasswordTooLong):
            await hasher.hash("€" * 25)  # 25 characters, 75 bytes

    async def test_refuses_text_that_is_not_valid_unicode(
        self, hasher: BcryptPasswordHasher
    ) -> None:
        with pytest.raises(InvalidPassword):
            await hasher.hash("password\udc80")

    async def test_passwords_differing_after_a_nul_byte_do_not_collide(
        self, hasher: BcryptPasswordHasher
    ) -> None:
        hashed = await hasher.hash("password\x00one")
        assert not await hasher.verify("password\x00two", hashed)
        assert not await hasher.verify("password", hashed)

    @pytest.mark.parametrize("password", ["anything at all", "x" * 500, "bad\udc80"])
    async def test_unknown_user_and_unusable_passwords_verify_false(
        self, hasher: BcryptPasswordHasher, password: str
    ) -> None:
        assert not await hasher.verify(password, None)
        assert not await hasher.verify(password, await hasher.hash("x" * 72))

    async def test_a_stored_value_that_is_not_a_hash_matches_nothing(
        self, hasher: BcryptPasswordHasher
    ) -> None:
        assert not await hasher.verify("password1", "not a bcrypt hash")

    async def test_a_closed_hasher_works_again_when_next_used(self) -> None:
        hasher = BcryptPasswordHasher(rounds=4)
        hashed = await hasher.hash("password1")
        hasher.close()  # as an app's shutdown does; the app may be started again
        assert await hasher.verify("password1", hashed)
        hasher.close()

    async def test_hashing_threads_run_at_a_lower_priority_than_requests(self) -> None:
        hasher = BcryptPasswordHasher(rounds=4, max_threads=2)
        try:
            await asyncio.gather(*(hasher.hash("password") for _ in range(4)))
            hashing = [t for t in threading.enumerate() if t.name.startswith("bcrypt")]
            assert hashing
            ours = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
            for thread in hashing:
                assert thread.native_id is not None
                assert os.getpriority(os.PRIO_PROCESS, thread.native_id) > ours
        finally:
            hasher.close()

    async def test_hashing_leaves_the_event_loop_free(self) -> None:
        hasher = BcryptPasswordHasher(rounds=10)  # tens of milliseconds per hash
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(ticker())
        try:
            await hasher.hash("a slow password")
        finally:
            task.cancel()
            hasher.close()
        assert ticks > 10  # a hash on the loop itself would allow at most one tick


def token_service(clock: FrozenClock, key: str = TEST_SECRET) -> JwtTokenService:
    return JwtTokenService(key, clock, timedelta(minutes=30))


def forge(claims: dict[str, Any], key: str = TEST_SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


SID = "A" * 21 + "w"  # the shape of a session id


def valid_claims() -> dict[str, Any]:
    issued = int(START.timestamp())
    return {"sub": "7", "iat": issued, "exp": issued + 60, "sid": SID, "auth_time": issued}


class TestJwtTokenService:
    @pytest.fixture
    def clock(self) -> FrozenClock:
        return FrozenClock(START)

    def test_issued_token_reads_back_its_user_session_and_login_time(
        self, clock: FrozenClock
    ) -> None:
        tokens = token_service(clock)
        logged_in = START - timedelta(minutes=3)
        issued = tokens.issue(user_id=7, session_id=SID, authenticated_at=logged_in)
        assert issued.expires_in == 1800
        assert tokens.read(issued.access_token) == TokenClaims(
            user_id=7, session_id=SID, authenticated_at=logged_in
        )

    def test_token_pins_hs256_and_carries_the_standard_claims(self, clock: FrozenClock) -> None:
        token = token_service(clock).issue(7, SID, START).access_token
        assert jwt.get_unverified_header(token)["alg"] == "HS256"
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["sub"] == "7"
        assert claims["exp"] - claims["iat"] == 1800
        assert claims["iat"] == int(START.timestamp())

    def test_expired_token_is_refused(self, clock: FrozenClock) -> None:
        tokens = token_service(clock)
        token = tokens.issue(7, SID, START).access_token
        clock.advance(timedelta(minutes=30))
        with pytest.raises(InvalidToken) as raised:
            tokens.read(token)
        assert raised.value.reason == "the token has expired"

    def test_a_token_read_before_still_expires(self, clock: FrozenClock) -> None:
        """Verified tokens are remembered; their expiry is still checked on every read."""
        tokens = token_service(clock)
        token = tokens.issue(7, SID, START).access_token
        clock.advance(timedelta(minutes=29, seconds=59))
        assert tokens.read(token).user_id == 7
        clock.advance(timedelta(seconds=1))
        with pytest.raises(InvalidToken) as raised:
            tokens.read(token)
        assert raised.value.reason == "the token has expired"

    def test_a_changed_copy_of_a_token_read_before_is_refused(self, clock: FrozenClock) -> None:
        tokens = token_service(clock)
        token = tokens.issue(7, SID, START).access_token
        assert tokens.read(token).user_id == 7
        header, payload, signature = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
        claims["sub"] = "1"
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        for changed in (f"{header}.{forged}.{signature}", token + "A", token[:-1]):
            with pytest.raises(InvalidToken):
                tokens.read(changed)

    def test_tampered_payload_is_refused(self, clock: FrozenClock) -> None:
        header, payload, signature = (
            token_service(clock).issue(7, SID, START).access_token.split(".")
        )
        claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
        claims["sub"] = "1"
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        with pytest.raises(InvalidToken):
            token_service(clock).read(f"{header}.{forged}.{signature}")

    def test_alg_none_is_refused(self, clock: FrozenClock) -> None:
        unsigned = jwt.encode(valid_claims(), "", algorithm="none")
        with pytest.raises(InvalidToken):
            token_service(clock).read(unsigned)

    def test_another_hmac_algorithm_with_the_right_key_is_refused(self, clock: FrozenClock) -> None:
        key = TEST_SECRET * 2  # long enough for HS512, so only the algorithm is wrong
        with pytest.raises(InvalidToken) as raised:
            token_service(clock, key).read(forge(valid_claims(), key=key, algorithm="HS512"))
        assert raised.value.reason == "The specified alg value is not allowed"

    def test_token_signed_with_another_key_is_refused(self, clock: FrozenClock) -> None:
        with pytest.raises(InvalidToken):
            token_service(clock).read(
                forge(valid_claims(), key="another-secret-key-of-32-bytes-or-more")
            )

    @pytest.mark.parametrize("claim", ["sub", "iat", "exp", "sid", "auth_time"])
    def test_token_missing_a_claim_is_refused(self, clock: FrozenClock, claim: str) -> None:
        claims = valid_claims()
        del claims[claim]
        with pytest.raises(InvalidToken):
            token_service(clock).read(forge(claims))

    @pytest.mark.parametrize(
        ("claim", "value"),
        [
            ("sub", "alice"),
            ("sub", 7),
            ("sub", "0"),
            ("sub", "-1"),
            ("sub", "9" * 30),
            ("sub", "\u0667"),
            ("sid", 7),
            ("sid", "short"),
            ("sid", "A" * 21 + "/"),
            ("exp", "soon"),
            ("auth_time", "at login"),
            ("auth_time", 10**20),
        ],
    )
    def test_token_with_a_malformed_claim_is_refused(
        self, clock: FrozenClock, claim: str, value: object
    ) -> None:
        claims = valid_claims() | {claim: value}
        with pytest.raises(InvalidToken):
            token_service(clock).read(forge(claims))

    def test_token_issued_in_the_future_is_refused(self, clock: FrozenClock) -> None:
        claims = valid_claims()
        claims["iat"] += 600
        claims["exp"] += 600
        with pytest.raises(InvalidToken) as raised:
            token_service(clock).read(forge(claims))
        assert raised.value.reason == "the token was issued in the future"

    @pytest.mark.parametrize("token", ["", "a.b.c", "not-a-token", "é.é.é", "x" * 10_000])
    def test_garbage_is_refused(self, clock: FrozenClock, token: str) -> None:
        with pytest.raises(InvalidToken):
            token_service(clock).read(token)

    def test_refuses_a_key_shorter_than_32_bytes(self, clock: FrozenClock) -> None:
        with pytest.raises(ValueError, match="32 bytes"):
            JwtTokenService("too-short", clock)
