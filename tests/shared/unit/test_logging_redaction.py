"""The redaction processor masks card numbers, credentials and tokens, and nothing else."""

from __future__ import annotations

import pytest

from building_blocks.observability.redaction import (
    REDACTED,
    is_secret_key,
    luhn_valid,
    redact_event,
    redact_text,
    redact_value,
)

pytestmark = pytest.mark.unit

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJUb3FpbyJ9.c2lnbmF0dXJlLWJ5dGVz"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card 4111111111111111 ok", "card ************1111 ok"),
        ("card 4111 1111 1111 1111 ok", "card ************1111 ok"),
        ("card 4111-1111-1111-1111 ok", "card ************1111 ok"),
        ("amex 378282246310005", "amex ***********0005"),
        ("13 digits 4222222222222", "13 digits *********2222"),
        ("19 digits 6011000990139424009", "19 digits ***************4009"),
        ("number=5500000000000004;", "number=************0004;"),
        ("4111111111111111 12", "************1111 12"),
        ("ref 12 4111111111111111", "ref 12 ************1111"),
    ],
)
def test_luhn_valid_card_numbers_keep_only_their_last_four_digits(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "order 1234567812345678 shipped",  # 16 digits, not Luhn-valid
        "short 411111111116",  # Luhn-valid but only 12 digits
        "long 41111111111111111111",  # 20 contiguous digits
        "date 2024-08-01T10:30:00.000Z amount 1500",
        "request 26b0f78a-79f9-426d-a20b-79841345ae51",
        "phone +44 20 7946 0958",
    ],
)
def test_numbers_that_are_not_card_numbers_stay_visible(text: str) -> None:
    assert redact_text(text) == text


def test_text_without_digits_or_markers_is_returned_untouched() -> None:
    text = "nothing to see here"

    assert redact_text(text) is text


def test_luhn_checksum() -> None:
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer abc.def-ghi", "abc.def-ghi"),
        ("authorization=Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        ('{"Authorization": "token-xyz"}', "token-xyz"),
        ("calling with bearer s3cr3t-T0ken", "s3cr3t-T0ken"),
        (f"token {JWT} seen", JWT),
        (f"Authorization: Bearer {JWT}", "eyJ"),
        ('{"cardNumber":"x","cvv":"123"}', "123"),
        ("user=a&password=hunter2&x=1", "hunter2"),
        ("client_secret: 'abc'", "abc"),
        ("pin=9876 accepted", "9876"),
    ],
)
def test_credentials_and_tokens_in_text_are_masked(text: str, secret: str) -> None:
    redacted = redact_text(text)

    assert secret not in redacted
    assert REDACTED in redacted


@pytest.mark.parametrize(
    "text",
    [
        "card 4111 1111 1111 1111 and 5500-0000-0000-0004",
        f"Authorization: Bearer {JWT}",
        "bearer abc 4111111111111111 12 4222222222222",
        "authorization=Basic x, password=y",
        '{"cvv": "123", "apiKey": "k"} token=[REDACTED] pin=\'1\'',
    ],
)
def test_redaction_is_idempotent(text: str) -> None:
    once = redact_text(text)

    assert redact_text(once) == once


@pytest.mark.parametrize(
    "key",
    [
        "api_key", "apiKey", "apikey", "X-Api-Key", "password", "secret", "client_secret",
        "token", "access_token", "refreshToken", "pan", "PAN", "cvv", "pin", "key",
        "Authorization", "baasOTP",
    ],
)  # fmt: skip
def test_values_of_secret_keys_are_masked(key: str) -> None:
    assert is_secret_key(key)
    assert redact_value({key: "anything at all"}) == {key: REDACTED}


@pytest.mark.parametrize(
    "key", ["idempotency_key", "routing_key", "customerId", "keyboard", "amount", "event"]
)
def test_ordinary_keys_are_not_secret(key: str) -> None:
    assert not is_secret_key(key)


def test_nested_structures_are_redacted_recursively() -> None:
    value = {
        "headers": {"Authorization": "Bearer x", "Accept": "application/json"},
        "cards": [{"number": "4111111111111111", "cvv": "123"}],
        "pair": ("5500000000000004", 7),
        "raw": b"pan 4111111111111111",
        "count": 3,
    }

    assert redact_value(value) == {
        "headers": {"Authorization": REDACTED, "Accept": "application/json"},
        "cards": [{"number": "************1111", "cvv": REDACTED}],
        "pair": ("************0004", 7),
        "raw": "pan ************1111",
        "count": 3,
    }


def test_the_processor_redacts_the_message_and_every_field_but_structlog_internals() -> None:
    record = object()
    event = {
        "event": "charged 4111111111111111",
        "password": "hunter2",
        "body": {"pan": "4111111111111111"},
        "_record": record,
    }

    redacted = redact_event(None, "info", event)

    assert redacted == {
        "event": "charged ************1111",
        "password": REDACTED,
        "body": {"pan": REDACTED},
        "_record": record,
    }


@pytest.mark.parametrize("text", ["spin=3 japan: yes", "routing key: accounts.v1", "ratio=1:2"])
def test_ordinary_assignments_in_text_stay_visible(text: str) -> None:
    assert redact_text(text) == text


def test_redacting_typical_log_lines_is_cheap() -> None:
    import time

    line = "request.completed path=/customers/c-1/accounts status=200 duration_ms=12 id=01a2-72bb"
    started = time.perf_counter()
    for _ in range(2000):
        redact_text(line)

    assert time.perf_counter() - started < 0.5  # about 15 µs a line; generous for slow CI
