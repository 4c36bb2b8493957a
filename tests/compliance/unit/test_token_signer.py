"""HmacTokenSigner: reviewer tokens that expire and cannot be forged, altered or reused."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from compliance.adapters.crypto.hmac_token_signer import HmacTokenSigner
from compliance.domain.access import AccessDenied, ReviewerRole

pytestmark = pytest.mark.unit

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
KEY = b"0123456789abcdef0123456789abcdef"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _payload(token: str) -> dict[str, object]:
    body = token.split(".")[1]
    decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return decoded


def _denied(signer: HmacTokenSigner, token: str, now: datetime = NOW) -> AccessDenied:
    with pytest.raises(AccessDenied) as raised:
        signer.verify(token, now)
    return raised.value


def test_a_token_carries_the_reviewer_role_and_lifetime() -> None:
    signer = HmacTokenSigner(KEY, ttl=timedelta(minutes=15))

    issued = signer.issue("rev-1", ReviewerRole.SUPERVISOR, NOW)
    claims = signer.verify(issued.token, NOW + timedelta(minutes=14, seconds=59))

    assert issued.token.startswith("v1.")
    assert issued.expires_at == NOW + timedelta(minutes=15)
    assert claims.reviewer_id == "rev-1"
    assert claims.role is ReviewerRole.SUPERVISOR
    assert claims.issued_at == NOW
    assert claims.expires_at == issued.expires_at


def test_the_default_lifetime_is_fifteen_minutes() -> None:
    issued = HmacTokenSigner(KEY).issue("rev-1", ReviewerRole.REVIEWER, NOW)

    assert issued.expires_at - NOW == timedelta(minutes=15)


def test_an_expired_token_is_refused() -> None:
    signer = HmacTokenSigner(KEY)
    issued = signer.issue("rev-1", ReviewerRole.REVIEWER, NOW)

    error = _denied(signer, issued.token, NOW + timedelta(minutes=15))

    assert error.code == "TOKEN_EXPIRED"


def test_a_token_signed_with_another_key_is_refused() -> None:
    issued = HmacTokenSigner(b"x" * 32).issue("rev-1", ReviewerRole.REVIEWER, NOW)

    assert _denied(HmacTokenSigner(KEY), issued.token).code == "INVALID_TOKEN"


def test_a_tampered_payload_is_refused() -> None:
    signer = HmacTokenSigner(KEY)
    version, _, signature = signer.issue("rev-1", ReviewerRole.REVIEWER, NOW).token.split(".")
    promoted = {"sub": "rev-1", "role": "SUPERVISOR", "iat": 0, "exp": 2**40}
    forged = f"{version}.{_b64url(json.dumps(promoted).encode())}.{signature}"

    assert _denied(signer, forged).code == "INVALID_TOKEN"


def test_a_tampered_signature_is_refused() -> None:
    signer = HmacTokenSigner(KEY)
    token = signer.issue("rev-1", ReviewerRole.REVIEWER, NOW).token
    flipped = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")

    assert _denied(signer, flipped).code == "INVALID_TOKEN"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "v1",
        "v1..",
        "v1.a.b",
        "v1.a.b.c",
        "not a token at all",
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJyZXYtMSJ9.",
        "v1." + "A" * 5000 + ".sig",
        "v1.\u00e9\u00e9.\u00e9",
    ],
)
def test_a_malformed_token_is_refused(token: str) -> None:
    assert _denied(HmacTokenSigner(KEY), token).code == "INVALID_TOKEN"


def test_a_token_of_another_version_is_refused_even_with_a_valid_mac() -> None:
    signer = HmacTokenSigner(KEY)
    _, body, _ = signer.issue("rev-1", ReviewerRole.REVIEWER, NOW).token.split(".")
    signed = signer._sign(f"v2.{body}")  # what a careless v2 would accept

    assert _denied(signer, f"v2.{body}.{signed}").code == "INVALID_TOKEN"


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {"sub": "rev-1", "role": "ADMIN", "iat": 0, "exp": 2**40},
        {"sub": "", "role": "REVIEWER", "iat": 0, "exp": 2**40},
        {"sub": "rev-1", "role": ["REVIEWER"], "iat": 0, "exp": 2**40},
        {"sub": "rev-1", "role": "REVIEWER", "iat": 0, "exp": "never"},
        {"sub": "rev-1", "role": "REVIEWER", "iat": 0, "exp": True},
        {"sub": "rev-1", "role": "REVIEWER", "iat": 0, "exp": 10**30},
        {"sub": "rev-1", "role": "REVIEWER", "exp": 2**40},
    ],
)
def test_a_correctly_signed_token_with_bad_claims_is_refused(payload: object) -> None:
    signer = HmacTokenSigner(KEY)
    signed_part = f"v1.{_b64url(json.dumps(payload).encode())}"
    token = f"{signed_part}.{signer._sign(signed_part)}"

    assert _denied(signer, token).code == "INVALID_TOKEN"


def test_a_token_issued_in_the_future_beyond_clock_skew_is_refused() -> None:
    signer = HmacTokenSigner(KEY)
    issued = signer.issue("rev-1", ReviewerRole.REVIEWER, NOW + timedelta(minutes=5))

    assert _denied(signer, issued.token).code == "INVALID_TOKEN"
    assert signer.verify(issued.token, NOW + timedelta(minutes=4, seconds=30))


def test_the_payload_holds_no_secret_and_only_the_documented_claims() -> None:
    token = HmacTokenSigner(KEY).issue("rev-1", ReviewerRole.REVIEWER, NOW).token

    assert set(_payload(token)) == {"sub", "role", "iat", "exp"}


def test_a_short_key_or_a_non_positive_lifetime_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        HmacTokenSigner(b"short")
    with pytest.raises(ValueError, match="lifetime"):
        HmacTokenSigner(KEY, ttl=timedelta(0))


def test_without_a_configured_secret_each_process_signs_with_its_own_random_key() -> None:
    first, second = HmacTokenSigner.from_secret(None), HmacTokenSigner.from_secret(None)
    issued = first.issue("rev-1", ReviewerRole.REVIEWER, NOW)

    assert first.verify(issued.token, NOW).reviewer_id == "rev-1"
    assert _denied(second, issued.token).code == "INVALID_TOKEN"


def test_a_configured_secret_lets_instances_share_tokens() -> None:
    secret = "a-configured-secret-of-enough-length-1234"
    issued = HmacTokenSigner.from_secret(secret).issue("rev-1", ReviewerRole.REVIEWER, NOW)

    assert HmacTokenSigner.from_secret(secret).verify(issued.token, NOW).reviewer_id == "rev-1"
