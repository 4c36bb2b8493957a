"""The cards service's key material, from settings or, in the embedded mode, development files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import structlog

from building_blocks.settings import Secret
from cards.adapters.crypto.key_providers import (
    StaticKeyProvider,
    create_development_key,
    create_development_keyring,
    decode_key,
)

log = structlog.get_logger(__name__)


class MissingKeys(RuntimeError):
    """A deployment without the keys cards needs: refuse to start rather than invent them."""


@dataclass(frozen=True, slots=True)
class KeyMaterial:
    """The key-encryption keys and the three HMAC keys; ``repr`` shows none of them."""

    kek: StaticKeyProvider
    fingerprint_key: bytes = field(repr=False)
    cvv_key: bytes = field(repr=False)
    audit_mac_key: bytes = field(repr=False)


def load_key_material(
    *,
    keyring: Secret | None,
    keyring_file: str | None,
    fingerprint_key: Secret | None,
    cvv_key: Secret | None,
    audit_mac_key: Secret | None,
    data_dir: str,
    allow_development: bool = True,
) -> KeyMaterial:
    """Read the configured keys; make development ones for those missing (with a warning).

    Raises:
        MissingKeys: a key is missing and ``allow_development`` is false (a deployment on
            PostgreSQL must configure every key; only the embedded mode makes its own).
    """
    folder = Path(data_dir) / "cards-keys"
    missing = [
        name
        for name, value in (
            ("CARDS_KEK_KEYRING", keyring or keyring_file),
            ("CARDS_FINGERPRINT_KEY", fingerprint_key),
            ("CARDS_CVV_KEY", cvv_key),
            ("CARDS_AUDIT_MAC_KEY", audit_mac_key),
        )
        if value is None
    ]
    if missing and not allow_development:
        raise MissingKeys(f"cards needs these keys configured: {', '.join(missing)}")
    development: list[str] = []

    def key(secret: Secret | None, name: str) -> bytes:
        if secret is not None:
            return decode_key(secret.reveal(), name=name)
        development.append(name)
        return create_development_key(folder / f"{name}.key", name=name)

    if keyring is not None:
        kek = StaticKeyProvider.from_keyring(keyring.reveal())
    elif keyring_file:
        kek = StaticKeyProvider.from_file(keyring_file)
    else:
        development.append("kek")
        kek = create_development_keyring(folder / "kek.keyring")
    material = KeyMaterial(
        kek=kek,
        fingerprint_key=key(fingerprint_key, "fingerprint"),
        cvv_key=key(cvv_key, "cvv"),
        audit_mac_key=key(audit_mac_key, "audit-mac"),
    )
    if development:
        # Names only: the keys themselves never reach a log.
        log.warning("cards.development_keys", keys=development, folder=str(folder))
    return material
