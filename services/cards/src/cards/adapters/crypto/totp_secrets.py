"""HmacTotpSecrets: each card's RFC 6238 secret, derived on demand from a key, never stored.

secret = base32( the first 20 bytes of HMAC-SHA256(TOTP key, label ‖ tenant ‖ card) ), tenant
and card length-prefixed, without padding: 160 bits, the size RFC 4226 recommends, for the
authenticator apps' usual parameters (HMAC-SHA1, 6 digits, 30-second steps). Derived like
the CVV, so no new kind of vault secret is needed; the key (``CARDS_TOTP_KEY``, or a
development key file in the embedded mode) is used for nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

from building_blocks.settings import Secret
from cards.adapters.crypto.key_providers import create_development_key, decode_key

MIN_KEY_BYTES = 32
SECRET_BYTES = 20
# Domain separation: no other derivation under any key can produce these bytes.
_LABEL = b"toqio-cards/totp-secret/v1\x00"


def _part(text: str) -> bytes:
    raw = text.encode("utf-8")
    return len(raw).to_bytes(4, "big") + raw


class HmacTotpSecrets:
    """``TotpSecretSource``: a card's base32 TOTP secret, the same every time it is asked."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        """Bind to ``key``; ``ValueError`` if shorter than 32 bytes."""
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"the TOTP key must have at least {MIN_KEY_BYTES} bytes")
        self._key = bytes(key)

    def __repr__(self) -> str:
        return "HmacTotpSecrets(key=<hidden>)"

    def secret(self, tenant_id: str, card_id: str) -> str:
        """The card's secret: 32 base32 characters, no padding."""
        message = _LABEL + _part(tenant_id) + _part(card_id)
        digest = hmac.new(self._key, message, hashlib.sha256).digest()[:SECRET_BYTES]
        return base64.b32encode(digest).decode("ascii").rstrip("=")


def load_totp_secrets(
    *, enabled: bool, key: Secret | None, data_dir: str
) -> HmacTotpSecrets | None:
    """The TOTP source when ``CARDS_TOTP_ENABLED``, else ``None`` (the endpoint answers 501).

    Args:
        enabled: ``CARDS_TOTP_ENABLED``.
        key: ``CARDS_TOTP_KEY`` (base64 of 32 bytes); unset, a development key file under
            ``DATA_DIR/cards-keys`` is made, as for the other keys of the embedded mode.
        data_dir: ``DATA_DIR``.
    """
    if not enabled:
        return None
    if key is not None:
        return HmacTotpSecrets(decode_key(key.reveal(), name="CARDS_TOTP_KEY"))
    path = Path(data_dir) / "cards-keys" / "totp.key"
    return HmacTotpSecrets(create_development_key(path, name="totp"))
