"""The console's CSRF tokens: bound to one session or login nonce, unforgeable without the key."""

from __future__ import annotations

import pytest

from compliance.entrypoints.console.csrf import CsrfTokens
from compliance.entrypoints.console.pages import eur, money
from shared_kernel.domain.money import Money

pytestmark = pytest.mark.unit

KEY = b"k" * 32


def test_a_session_gets_the_same_token_from_every_instance_sharing_the_key() -> None:
    assert CsrfTokens(KEY).for_session("token-a") == CsrfTokens(KEY).for_session("token-a")


def test_tokens_differ_by_session_by_key_and_by_purpose() -> None:
    tokens = CsrfTokens(KEY)

    seen = {
        tokens.for_session("token-a"),
        tokens.for_session("token-b"),
        CsrfTokens(b"o" * 32).for_session("token-a"),
        tokens.for_login("token-a"),
    }

    assert len(seen) == 4


def test_a_token_never_contains_the_session_it_is_bound_to() -> None:
    assert "token-a" not in CsrfTokens(KEY).for_session("token-a")


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        CsrfTokens(b"short")


def test_random_keys_differ_per_instance() -> None:
    assert CsrfTokens.random().for_session("t") != CsrfTokens.random().for_session("t")


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Money.of(1_500_000, "EUR"), "15,000.00 EUR"),
        (Money.of(5, "EUR"), "0.05 EUR"),
        (Money.of(123_456, "JPY"), "123,456 JPY"),
    ],
)
def test_amounts_are_shown_with_their_currencys_decimals(amount: Money, shown: str) -> None:
    assert money(amount) == shown


def test_euro_totals_are_shown_in_euros() -> None:
    assert eur(250_000) == "2,500.00 EUR"
