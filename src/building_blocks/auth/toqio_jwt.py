"""Verify the JWT Toqio's Integration Hub signs every call with, and guard routes with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from building_blocks.auth.errors import AuthenticationFailed

TOQIO_ISSUER = "Toqio"
TOQIO_SUBJECT = "Toqio-integration-hub Authorization"
CUSTOMER_CLAIM = "customerID"
CLAIMS_STATE_KEY = "toqio_jwt_claims"
# Asymmetric only: with HS* a verifier holding the public key could be fooled by a token
# "signed" with that public key as the HMAC secret; "none" is no signature at all.
ALLOWED_ALGORITHMS = ("RS256", "ES256")

PublicKey = RSAPublicKey | EllipticCurvePublicKey


def _load_public_key(public_key: str) -> PublicKey:
    text = public_key if public_key.lstrip().startswith("-----BEGIN") else None
    if text is None:
        text = Path(public_key).read_text(encoding="utf-8")
    key = load_pem_public_key(text.encode())
    if not isinstance(key, RSAPublicKey | EllipticCurvePublicKey):
        raise ValueError("Toqio's public key must be an RSA or EC key")
    return key


class ToqioJwtVerifier:
    """Checks signature, algorithm, issuer, subject, time window and customer of a Toqio JWT."""

    def __init__(
        self,
        public_key: str,
        *,
        issuer: str = TOQIO_ISSUER,
        subject: str = TOQIO_SUBJECT,
        leeway_seconds: int = 30,
    ) -> None:
        """Load the key.

        Args:
            public_key: PEM text, or the path of a PEM file.
            issuer: Required ``iss``.
            subject: Required ``sub``.
            leeway_seconds: Clock skew tolerated on ``exp`` and ``nbf``.
        """
        self._key = _load_public_key(public_key)
        # A token's alg must also match the key type, so an RSA key never verifies ES256.
        self._algorithm = "RS256" if isinstance(self._key, RSAPublicKey) else "ES256"
        self._issuer = issuer
        self._subject = subject
        self._leeway = leeway_seconds

    def verify(self, token: str, path_customer_id: str | None) -> dict[str, Any]:
        """Return the claims of a valid token.

        Raises:
            AuthenticationFailed: The token is malformed, forged, stale, from another issuer or
                subject, or for another customer than ``path_customer_id``.
        """
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise AuthenticationFailed("The bearer token is not a well-formed JWT") from None
        algorithm = header.get("alg")
        if algorithm not in ALLOWED_ALGORITHMS or algorithm != self._algorithm:
            raise AuthenticationFailed("The token's signing algorithm is not accepted")
        claims = self._decode(token)
        if claims.get("sub") != self._subject:
            raise AuthenticationFailed("The token's subject is not accepted")
        if path_customer_id is not None and claims.get(CUSTOMER_CLAIM) != path_customer_id:
            raise AuthenticationFailed("The token is not valid for this customer")
        return claims

    def _decode(self, token: str) -> dict[str, Any]:
        try:
            return jwt.decode(
                token,
                self._key,
                algorithms=[self._algorithm],
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["iss", "sub"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError:
            raise AuthenticationFailed("The token has expired") from None
        except jwt.ImmatureSignatureError:
            raise AuthenticationFailed("The token is not valid yet") from None
        except jwt.InvalidIssuerError:
            raise AuthenticationFailed("The token's issuer is not accepted") from None
        except jwt.MissingRequiredClaimError as exc:
            raise AuthenticationFailed(f"The token lacks the '{exc.claim}' claim") from None
        except jwt.InvalidSignatureError:
            raise AuthenticationFailed("The token's signature is not valid") from None
        except jwt.InvalidTokenError:
            raise AuthenticationFailed("The token is not valid") from None


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The token of an ``Authorization: Bearer`` header, or :class:`AuthenticationFailed`."""
    header = connection.headers.get("authorization")
    if not header:
        raise AuthenticationFailed("The Authorization header is missing")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed("The Authorization header is not a bearer token")
    return token.strip()


def toqio_jwt_guard(verifier: ToqioJwtVerifier) -> Guard:
    """A guard admitting only calls bearing a valid Toqio JWT for the path's ``customerId``.

    The verified claims are kept in the connection state (see :func:`toqio_claims`).
    """

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        customer_id = connection.path_params.get("customerId")
        claims = verifier.verify(
            bearer_token(connection), str(customer_id) if customer_id is not None else None
        )
        connection.scope.setdefault("state", {})[CLAIMS_STATE_KEY] = claims

    return guard


def toqio_claims(connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
    """The claims :func:`toqio_jwt_guard` verified for this connection."""
    claims: dict[str, Any] = connection.scope.get("state", {})[CLAIMS_STATE_KEY]
    return claims
