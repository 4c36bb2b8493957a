"""A throw-away Toqio JWT issuer for tests: good tokens and every kind of bad one."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from building_blocks.auth.toqio_jwt import TOQIO_ISSUER, TOQIO_SUBJECT

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def _public_pem(key: PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class ToqioJwtIssuer:
    """Signs tokens the way Toqio does, with a fresh RSA key (or EC key with ``ec=True``)."""

    def __init__(self, *, ec_key: bool = False) -> None:
        self._key: PrivateKey = (
            ec.generate_private_key(ec.SECP256R1())
            if ec_key
            else rsa.generate_private_key(public_exponent=65537, key_size=2048)
        )
        self.algorithm = "ES256" if ec_key else "RS256"
        self.public_key_pem = _public_pem(self._key)

    def claims(self, customer_id: str | None = "cust-1", **overrides: Any) -> dict[str, Any]:
        """Valid claims; an override of ``None`` removes that claim."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": TOQIO_ISSUER,
            "sub": TOQIO_SUBJECT,
            "iat": now,
            "exp": now + 300,
            "customerID": customer_id,
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def issue(self, customer_id: str | None = "cust-1", **overrides: Any) -> str:
        """A valid token for ``customer_id``; overrides change or (with ``None``) drop claims."""
        return jwt.encode(self.claims(customer_id, **overrides), self._key, self.algorithm)

    def alg_none(self, customer_id: str = "cust-1") -> str:
        """An unsigned token (``alg: none``)."""
        header = _b64({"alg": "none", "typ": "JWT"})
        return f"{header}.{_b64(self.claims(customer_id))}."

    def hmac_with_public_key(self, customer_id: str = "cust-1") -> str:
        """HS256 "signed" with the public key as the secret: the classic key-confusion attack."""
        header = _b64({"alg": "HS256", "typ": "JWT"})
        body = _b64(self.claims(customer_id))
        signature = hmac.new(
            self.public_key_pem.encode(), f"{header}.{body}".encode(), hashlib.sha256
        ).digest()
        return f"{header}.{body}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"

    def signed_by_other_key(self, customer_id: str = "cust-1") -> str:
        """A well-formed token signed by a key Toqio does not own."""
        return ToqioJwtIssuer(ec_key=self.algorithm == "ES256").issue(customer_id)

    def expired(self, customer_id: str = "cust-1") -> str:
        """A token that expired well beyond any leeway."""
        now = int(time.time())
        return self.issue(customer_id, iat=now - 3600, exp=now - 600)

    def not_yet_valid(self, customer_id: str = "cust-1") -> str:
        """A token whose ``nbf`` is well in the future."""
        return self.issue(customer_id, nbf=int(time.time()) + 600)

    def wrong_issuer(self, customer_id: str = "cust-1") -> str:
        """A token from another issuer."""
        return self.issue(customer_id, iss="Mallory")

    def wrong_subject(self, customer_id: str = "cust-1") -> str:
        """A token for another subject."""
        return self.issue(customer_id, sub="Some other audience")
