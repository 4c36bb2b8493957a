"""Key settings for running cards on PostgreSQL in tests, where it refuses development keys."""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def random_key() -> str:
    """Base64 of 32 random bytes: the shape of every cards key setting."""
    return base64.b64encode(os.urandom(32)).decode()


def rsa_private_pem() -> str:
    """A fresh 2048-bit RSA private key in PEM, for ``CARDS_SECURITY_CODE_PRIVATE_KEY``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def cards_key_settings() -> dict[str, str]:
    """Every key cards needs, freshly made."""
    return {
        "CARDS_KEK_KEYRING": f"1:{random_key()}",
        "CARDS_FINGERPRINT_KEY": random_key(),
        "CARDS_CVV_KEY": random_key(),
        "CARDS_AUDIT_MAC_KEY": random_key(),
        "CARDS_SECURITY_CODE_PRIVATE_KEY": rsa_private_pem(),
    }
