"""Value objects: examples of each rule, and properties over generated input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from domain.errors import (
    InvalidDescription,
    InvalidEmail,
    InvalidPassword,
    InvalidPrice,
    InvalidTitle,
    InvalidUsername,
    PasswordTooLong,
)
from domain.values import (
    INVISIBLE,
    TITLE_WHITESPACE,
    Description,
    Email,
    PlainPassword,
    Price,
    Title,
    Username,
)

usernames = st.from_regex(r"[A-Za-z0-9_.-]{3,32}", fullmatch=True)
local_parts = st.from_regex(r"[A-Za-z0-9_+-]{1,20}(\.[A-Za-z0-9_+-]{1,20}){0,2}", fullmatch=True)
domains = st.from_regex(
    r"([A-Za-z0-9]([A-Za-z0-9-]{0,10}[A-Za-z0-9])?\.){1,3}[A-Za-z]{2,10}", fullmatch=True
)
valid_emails = st.builds(lambda local, domain: f"{local}@{domain}", local_parts, domains)
cents = st.decimals(
    min_value=0, max_value=1_000_000_000, places=2, allow_nan=False, allow_infinity=False
)


class TestEmail:
    def test_is_stored_lower_cased_and_trimmed(self) -> None:
        assert Email("  Alice.Smith+news@Example.COM ").value == "alice.smith+news@example.com"

    @pytest.mark.parametrize(
        "raw",
        [
            "",
            "alice",
            "alice@",
            "@example.com",
            "alice@example",
            "alice@@example.com",
            "alice@example..com",
            ".alice@example.com",
            "alice.@example.com",
            "al ice@example.com",
            "alice@-example.com",
            "alicé@example.com",
            "alice@ex\u0430mple.com",  # a Cyrillic a: a look-alike of an ASCII domain
            "a" * 65 + "@example.com",
            "alice@" + "a" * 250 + ".com",
            "alice@exam\nple.com",
        ],
    )
    def test_rejects_what_is_not_a_plain_address(self, raw: str) -> None:
        with pytest.raises(InvalidEmail):
            Email(raw)

    def test_addresses_differing_only_in_case_are_equal(self) -> None:
        assert Email("Bob@Example.com") == Email("bob@example.COM")

    @given(valid_emails)
    def test_valid_addresses_round_trip_lower_cased(self, raw: str) -> None:
        assert Email(raw).value == raw.lower()

    @given(st.text())
    @example("ALICE@EXAMPLE.COM")
    def test_any_text_is_rejected_or_normalised_idempotently(self, raw: str) -> None:
        try:
            email = Email(raw)
        except InvalidEmail:
            return
        assert Email(email.value) == email
        assert email.value == email.value.strip().lower()
        assert email.value.isascii()

    @given(valid_emails, st.characters(min_codepoint=128))
    def test_any_non_ascii_character_is_rejected(self, raw: str, char: str) -> None:
        with pytest.raises(InvalidEmail):
            Email(char + raw)


class TestUsername:
    @given(usernames)
    def test_valid_usernames_round_trip_as_typed(self, raw: str) -> None:
        assert Username(raw).value == raw

    @given(usernames)
    def test_comparison_ignores_case(self, raw: str) -> None:
        assert Username(raw) == Username(raw.swapcase())
        assert hash(Username(raw)) == hash(Username(raw.upper()))

    @given(
        usernames,
        st.characters().filter(lambda c: not (c.isascii() and (c.isalnum() or c in "_.-"))),
    )
    def test_any_other_character_is_rejected(self, raw: str, char: str) -> None:
        with pytest.raises(InvalidUsername):
            Username(raw[:16] + char + raw[16:])

    @pytest.mark.parametrize("raw", ["ab", "a" * 33, "", "ålice", "bob\n", "ǅemal"])
    def test_rejects_wrong_length_or_characters(self, raw: str) -> None:
        with pytest.raises(InvalidUsername):
            Username(raw)


class TestPlainPassword:
    def test_needs_eight_characters(self) -> None:
        with pytest.raises(InvalidPassword):
            PlainPassword("short12")
        assert PlainPassword("eight ch").value == "eight ch"

    def test_counts_the_72_byte_limit_in_utf8(self) -> None:
        assert PlainPassword("é" * 36).value == "é" * 36  # 72 bytes
        with pytest.raises(PasswordTooLong):
            PlainPassword("é" * 36 + "x")  # 73 bytes, 37 characters

    def test_rejects_lone_surrogates(self) -> None:
        with pytest.raises(InvalidPassword):
            PlainPassword("password\ud800")

    def test_is_never_shown(self) -> None:
        password = PlainPassword("hunter2hunter2")
        assert "hunter2" not in repr(password)
        assert "hunter2" not in str(password)

    @given(st.text(min_size=8))
    def test_accepts_exactly_the_texts_of_8_chars_and_at_most_72_bytes(self, raw: str) -> None:
        try:
            encoded = raw.encode("utf-8")
        except UnicodeEncodeError:
            with pytest.raises(InvalidPassword):
                PlainPassword(raw)
            return
        if len(encoded) > 72:
            with pytest.raises(PasswordTooLong):
                PlainPassword(raw)
        else:
            assert PlainPassword(raw).value == raw


class TestPrice:
    @given(cents)
    def test_amounts_with_two_decimals_round_trip(self, amount: Decimal) -> None:
        price = Price(amount)
        assert price.value == amount
        assert Price(price.value) == price

    @pytest.mark.parametrize(
        "raw",
        [
            Decimal("0.001"),
            Decimal("1.005"),
            Decimal("-0.01"),
            Decimal("1000000000.01"),
            Decimal("NaN"),
            Decimal("Infinity"),
            Decimal("-Infinity"),
            Decimal("sNaN"),
            "abc",
            True,
        ],
    )
    def test_rejects_inexact_negative_huge_or_non_finite_amounts(self, raw: object) -> None:
        with pytest.raises(InvalidPrice):
            Price(raw)

    def test_trailing_zeros_are_not_extra_precision(self) -> None:
        assert Price(Decimal("12.500")).value == Decimal("12.50")
        assert Price(7).value == Decimal("7.00")
        assert Price(1_000_000_000).value == Decimal("1000000000.00")

    @given(st.decimals(allow_nan=True, allow_infinity=True))
    def test_any_decimal_is_rejected_or_exact_to_the_cent(self, raw: Decimal) -> None:
        try:
            price = Price(raw)
        except InvalidPrice:
            return
        assert price.value == raw
        assert 0 <= price.value <= 1_000_000_000
        assert price.value == price.value.quantize(Decimal("0.01"))


class TestTitleAndDescription:
    def test_title_is_trimmed(self) -> None:
        assert Title("  Lamp \n").value == "Lamp"

    @pytest.mark.parametrize("raw", ["", "   ", "x" * 201, "tab\there", "nul\x00", "\ud800"])
    def test_title_rejects_empty_long_or_control_characters(self, raw: str) -> None:
        with pytest.raises(InvalidTitle):
            Title(raw)

    def test_title_length_counts_characters_after_trimming(self) -> None:
        assert len(Title("  " + "é" * 200 + "  ").value) == 200

    @given(st.text())
    def test_any_text_is_rejected_or_a_trimmed_title(self, raw: str) -> None:
        try:
            title = Title(raw)
        except InvalidTitle:
            return
        assert title.value == raw.strip(TITLE_WHITESPACE)
        assert 1 <= len(title.value) <= 200
        assert Title(title.value) == title

    def test_description_keeps_line_breaks_and_tabs(self) -> None:
        assert Description("line one\n\tline two\r\n").value == "line one\n\tline two\r\n"
        assert Description("").value == ""

    @pytest.mark.parametrize("raw", ["x" * 2001, "bell\x07", "nul\x00", "\udfff"])
    def test_description_rejects_long_text_and_other_controls(self, raw: str) -> None:
        with pytest.raises(InvalidDescription):
            Description(raw)


class TestInvisibleCharacters:
    """Text-direction controls and zero-width characters would disguise what a buyer reads."""

    @pytest.mark.parametrize("char", sorted(INVISIBLE))
    def test_titles_and_descriptions_refuse_them_anywhere(self, char: str) -> None:
        for raw in (f"Lamp{char}shade", f"{char}Lamp", f"Lamp{char}"):
            with pytest.raises(InvalidTitle):
                Title(raw)
            with pytest.raises(InvalidDescription):
                Description(raw)

    def test_an_override_cannot_reverse_what_a_title_shows(self) -> None:
        with pytest.raises(InvalidTitle, match="text-direction"):
            Title("Genuine watch \u202egnol")

    def test_ordinary_unicode_text_is_still_welcome(self) -> None:
        assert Title("Zürich café ☕ 東京").value == "Zürich café ☕ 東京"


def test_a_negative_zero_price_is_zero() -> None:
    price = Price(Decimal("-0.00"))
    assert price.value == Decimal("0.00")
    assert not price.value.is_signed()
    assert str(price) == "0.00"
