"""The OpenAPI patterns for titles and descriptions accept exactly what the domain accepts,
so generated clients and fuzzers are told the truth."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidValue
from domain.values import INVISIBLE, TITLE_WHITESPACE, Description, Title
from entrypoints.http.fields import DESCRIPTION_PATTERN, TITLE_PATTERN

tricky = st.text(
    alphabet=st.sampled_from(
        [*TITLE_WHITESPACE, *sorted(INVISIBLE), "\x85", "\x1c", "\x9c", "\x00", "a", "é"]
    )
)
texts = st.text(max_size=260) | st.text(max_size=2100) | tricky


def accepted(factory: type[Title] | type[Description], text: str) -> bool:
    try:
        factory(text)
    except InvalidValue:
        return False
    return True


@settings(max_examples=500)
@given(texts)
def test_the_title_pattern_is_the_title_rule(text: str) -> None:
    assert (re.search(TITLE_PATTERN, text) is not None) == accepted(Title, text)


@settings(max_examples=500)
@given(texts)
def test_the_description_pattern_is_the_description_rule(text: str) -> None:
    assert (re.search(DESCRIPTION_PATTERN, text) is not None) == accepted(Description, text)


def test_the_patterns_compile_without_surrogates() -> None:
    """Engines that work on Unicode scalar values cannot compile a surrogate range and would
    drop the whole pattern."""
    assert "\\ud8" not in TITLE_PATTERN + DESCRIPTION_PATTERN
