"""The building block's API key hasher, plus reading the key id a presented key carries."""

from __future__ import annotations

import re

from building_blocks.auth.api_keys import ApiKeyHasher, key_id_of

# generate_api_key makes 16 lower-case hex digits; anything else cannot be one of our keys.
_KEY_ID = re.compile(r"[0-9a-f]{16}")


class TqApiKeyHasher(ApiKeyHasher):
    """The ``ApiKeyHasher`` port: ``tq_<key id>_<secret>`` keys, SHA-256 or peppered HMAC hashes.

    A fast hash suits keys with 256 random bits (see ``hash_api_key``). With a pepper the hash
    is HMAC-SHA256; hashes stored before a pepper was configured still verify.
    """

    def key_id_of(self, plaintext: str) -> str | None:
        """The key id of a key this hasher generated, else ``None``."""
        key_id = key_id_of(plaintext)
        return key_id if key_id is not None and _KEY_ID.fullmatch(key_id) else None
