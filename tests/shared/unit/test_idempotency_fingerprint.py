"""A request's fingerprint ignores JSON layout and tells different requests apart."""

from __future__ import annotations

import pytest

from building_blocks.idempotency import fingerprint

pytestmark = pytest.mark.unit

BODY = b'{"amount": {"value": "10.00", "currency": "EUR"}, "iban": "DE89370400440532013000"}'


def test_a_fingerprint_is_a_sha256_hex_digest() -> None:
    digest = fingerprint("POST", "/payments", BODY)

    assert len(digest) == 64
    assert int(digest, 16) >= 0


def test_the_same_request_always_has_the_same_fingerprint() -> None:
    assert fingerprint("POST", "/payments", BODY) == fingerprint("POST", "/payments", BODY)


def test_json_key_order_and_whitespace_do_not_change_the_fingerprint() -> None:
    reordered = b'{\n  "iban": "DE89370400440532013000",\n  "amount": {"currency": "EUR",'
    reordered += b' "value": "10.00"}\n}'

    assert fingerprint("POST", "/payments", reordered) == fingerprint("POST", "/payments", BODY)


def test_a_different_body_has_a_different_fingerprint() -> None:
    other = BODY.replace(b"10.00", b"10.01")

    assert fingerprint("POST", "/payments", other) != fingerprint("POST", "/payments", BODY)


def test_a_different_path_has_a_different_fingerprint() -> None:
    assert fingerprint("POST", "/transfers", BODY) != fingerprint("POST", "/payments", BODY)


def test_a_different_method_has_a_different_fingerprint() -> None:
    assert fingerprint("PUT", "/payments", BODY) != fingerprint("POST", "/payments", BODY)


def test_parts_cannot_be_shifted_between_path_and_body() -> None:
    assert fingerprint("POST", "/a", b"b") != fingerprint("POST", "/ab", b"")


@pytest.mark.parametrize("body", [b"not json at all", b"\xff\xfe\x00binary", b"", b"[" * 100_000])
def test_a_body_that_is_not_json_is_hashed_as_it_is(body: bytes) -> None:
    digest = fingerprint("POST", "/payments", body)

    assert digest == fingerprint("POST", "/payments", body)
    assert digest != fingerprint("POST", "/payments", body + b" ")
