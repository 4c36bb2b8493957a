"""Reviewer tokens: ``v1.<payload>.<HMAC-SHA256>``, base64url, short-lived, tamper-evident."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from compliance.application.access.ports import IssuedToken, TokenClaims
from compliance.domain.access import AccessDenied, ReviewerRole

VERSION = "v1"
DEFAULT_TTL = timedelta(minutes=15)
MIN_KEY_BYTES = 32
# Tolerated drift between instances that issue and verify, for tokens issued "in the future".
CLOCK_SKEW = timedelta(seconds=60)
_MAX_TOKEN_LENGTH = 2048
# Error codes, not secrets.
INVALID_TOKEN = "INVALID_TOKEN"  # noqa: S105
TOKEN_EXPIRED = "TOKEN_EXPIRED"  # noqa: S105


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def _invalid(message: str = "The bearer token is not valid") -> AccessDenied:
    return AccessDenied(message, code=INVALID_TOKEN)


def _moment(value: Any) -> datetime:
    # bool is an int too; a bool timestamp is no timestamp.
    if not isinstance(value, int) or isinstance(value, bool):
        raise _invalid()
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise _invalid() from None


def _claims(payload: Any) -> TokenClaims:
    if not isinstance(payload, dict):
        raise _invalid()
    subject, role = payload.get("sub"), payload.get("role")
    if not isinstance(subject, str) or not subject or not isinstance(role, str):
        raise _invalid()
    if role not in ReviewerRole.__members__:
        raise _invalid()
    return TokenClaims(
        reviewer_id=subject,
        role=ReviewerRole(role),
        issued_at=_moment(payload.get("iat")),
        expires_at=_moment(payload.get("exp")),
    )


class HmacTokenSigner:
    """``TokenSigner`` with one HMAC-SHA256 key; tokens carry reviewer id, role, iat and exp."""

    def __init__(self, key: bytes, *, ttl: timedelta = DEFAULT_TTL) -> None:
        """Bind the signer to ``key``.

        Raises:
            ValueError: ``key`` is shorter than 32 bytes, or ``ttl`` is not positive.
        """
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"the token signing key must have at least {MIN_KEY_BYTES} bytes")
        if ttl <= timedelta(0):
            raise ValueError("the token lifetime must be positive")
        self._key = key
        self._ttl = ttl

    @classmethod
    def from_secret(cls, secret: str | None, *, ttl: timedelta = DEFAULT_TTL) -> HmacTokenSigner:
        """A signer keyed by a configured secret, or by a random key when there is none.

        A random key (the embedded mode) means tokens die with the process: reviewers sign in
        again after a restart, and several instances cannot share tokens.
        """
        key = secret.encode("utf-8") if secret else secrets.token_bytes(MIN_KEY_BYTES)
        return cls(key, ttl=ttl)

    @property
    def ttl(self) -> timedelta:
        """How long a token stays valid after it is issued."""
        return self._ttl

    def _sign(self, signed_part: str) -> str:
        return _b64url(hmac.new(self._key, signed_part.encode(), hashlib.sha256).digest())

    def issue(self, reviewer_id: str, role: ReviewerRole, now: datetime) -> IssuedToken:
        """A token valid from ``now`` (whole seconds) for the signer's lifetime."""
        issued = int(now.timestamp())
        expires = issued + int(self._ttl.total_seconds())
        payload = {"sub": reviewer_id, "role": role.value, "iat": issued, "exp": expires}
        body = _b64url(json.dumps(payload, separators=(",", ":")).encode("utf-8"))
        signed_part = f"{VERSION}.{body}"
        return IssuedToken(
            token=f"{signed_part}.{self._sign(signed_part)}",
            expires_at=datetime.fromtimestamp(expires, UTC),
        )

    def verify(self, token: str, now: datetime) -> TokenClaims:
        """The claims of a token this key signed that has not expired at ``now``.

        Raises:
            AccessDenied: ``INVALID_TOKEN`` when malformed, of another version, forged or
                tampered with; ``TOKEN_EXPIRED`` when past its expiry.
        """
        parts = token.split(".") if len(token) <= _MAX_TOKEN_LENGTH else []
        if len(parts) != 3 or parts[0] != VERSION:
            raise _invalid()
        signed_part = f"{parts[0]}.{parts[1]}"
        # The signature is compared as text: no decoding of attacker input before the check.
        if not hmac.compare_digest(self._sign(signed_part).encode(), parts[2].encode()):
            raise _invalid()
        try:
            claims = _claims(json.loads(_unb64url(parts[1])))
        except (binascii.Error, ValueError):
            raise _invalid() from None
        if now >= claims.expires_at:
            raise AccessDenied("The bearer token has expired", code=TOKEN_EXPIRED)
        if claims.issued_at > now + CLOCK_SKEW:
            raise _invalid()
        return claims
