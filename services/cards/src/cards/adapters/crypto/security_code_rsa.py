"""RsaSecurityCodeDecryptor: Toqio's encrypted security code, RSA-OAEP with AES-256-GCM.

The card spec sends ``EncryptedSecurityCode {encryptedSecurityCode, iv, tag}`` and says only
"RSA-encrypted". Our reading, a hybrid encryption to the connector's RSA public key:

- ``encryptedSecurityCode`` = base64( RSA-OAEP(SHA-256, MGF1-SHA-256) of a fresh 32-byte AES
  key ‖ the AES-256-GCM ciphertext of the UTF-8 code, without its tag );
- ``iv`` = base64 of the 12-byte GCM nonce; ``tag`` = base64 of the 16-byte GCM tag.

When the optional ``wrappedKey`` is sent, it carries the RSA part and
``encryptedSecurityCode`` the AES ciphertext alone. Standard or URL-safe base64 is read,
with or without padding. The public key is served at ``GET /security/public-key`` so Toqio
(and tests) can encrypt; the private key is ``CARDS_SECURITY_CODE_PRIVATE_KEY`` (PEM text or
a PEM file's path) or, in the embedded mode only, a development key made once under
``DATA_DIR/cards-keys/`` readable by its owner only. Whatever fails to decrypt raises
:class:`SecurityCodeUnreadable`, which the use cases answer as a wrong code, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
from pathlib import Path

import structlog
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from building_blocks.settings import Secret
from cards.application.security.ports import EncryptedSecurityCode, SecurityCodeUnreadable

MIN_KEY_BITS = 2048
DEVELOPMENT_KEY_BITS = 3072
AES_KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
MAX_CODE_BYTES = 64
# Generous for a 4096-bit key and a short code; anything longer is refused before decoding.
MAX_FIELD_CHARS = 2048
DEVELOPMENT_KEY_FILE = "security-code-private.pem"

_log = structlog.get_logger(__name__)
OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


class SecurityCodeKeyMissing(RuntimeError):
    """No private key for security codes where a development key is not allowed."""


class SecurityCodeKeyInvalid(ValueError):
    """The configured private key is not an RSA key of at least 2048 bits (never quoted)."""


def _b64(text: str | None, *, length: int | None = None) -> bytes:
    if not isinstance(text, str) or not text or len(text) > MAX_FIELD_CHARS:
        raise SecurityCodeUnreadable()
    normalised = text.strip().replace("-", "+").replace("_", "/")
    normalised += "=" * (-len(normalised) % 4)
    try:
        raw = base64.b64decode(normalised, validate=True)
    except (binascii.Error, ValueError):
        raise SecurityCodeUnreadable() from None
    if length is not None and len(raw) != length:
        raise SecurityCodeUnreadable()
    return raw


class RsaSecurityCodeDecryptor:
    """``SecurityCodeDecryptor`` on the connector's RSA private key (see the module docstring)."""

    __slots__ = ("_key", "_public_pem")

    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        """Keep ``private_key``.

        Raises:
            SecurityCodeKeyInvalid: Not RSA, or shorter than 2048 bits.
        """
        if not isinstance(private_key, rsa.RSAPrivateKey):
            raise SecurityCodeKeyInvalid("the security-code key must be an RSA private key")
        if private_key.key_size < MIN_KEY_BITS:
            raise SecurityCodeKeyInvalid(
                f"the security-code key must have at least {MIN_KEY_BITS} bits"
            )
        self._key = private_key
        self._public_pem = (
            private_key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode("ascii")
        )

    @classmethod
    def from_pem(cls, pem: str | bytes) -> RsaSecurityCodeDecryptor:
        """The decryptor on an unencrypted PEM private key (PKCS#8 or PKCS#1).

        Raises:
            SecurityCodeKeyInvalid: The PEM does not load as an RSA private key.
        """
        data = pem.encode("ascii") if isinstance(pem, str) else pem
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError):
            raise SecurityCodeKeyInvalid(
                "the security-code key is not an unencrypted PEM private key"
            ) from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise SecurityCodeKeyInvalid("the security-code key must be an RSA private key")
        return cls(key)

    @property
    def public_key_pem(self) -> str:
        """The public key Toqio encrypts codes to, as PEM (SubjectPublicKeyInfo)."""
        return self._public_pem

    def __repr__(self) -> str:
        return f"RsaSecurityCodeDecryptor(bits={self._key.key_size})"

    def decrypt(self, encrypted: EncryptedSecurityCode) -> str:
        """The clear code.

        Raises:
            SecurityCodeUnreadable: Not base64, wrong lengths, another key, altered bytes,
                or a plaintext that is not short UTF-8 text.
        """
        rsa_bytes = self._key.key_size // 8
        body = _b64(encrypted.encrypted_security_code)
        if encrypted.wrapped_key:
            wrapped, ciphertext = _b64(encrypted.wrapped_key), body
        else:
            wrapped, ciphertext = body[:rsa_bytes], body[rsa_bytes:]
        if len(wrapped) != rsa_bytes or not 0 < len(ciphertext) <= MAX_CODE_BYTES:
            raise SecurityCodeUnreadable()
        nonce = _b64(encrypted.iv, length=NONCE_BYTES)
        tag = _b64(encrypted.tag, length=TAG_BYTES)
        try:
            aes_key = self._key.decrypt(wrapped, OAEP)
        except ValueError:
            raise SecurityCodeUnreadable() from None
        if len(aes_key) != AES_KEY_BYTES:
            raise SecurityCodeUnreadable()
        try:
            plaintext = AESGCM(aes_key).decrypt(nonce, ciphertext + tag, None)
            return plaintext.decode("utf-8")
        except (InvalidTag, UnicodeDecodeError):
            raise SecurityCodeUnreadable() from None


def encrypt_security_code(
    public_key_pem: str, code: str, *, separate_wrapped_key: bool = False
) -> EncryptedSecurityCode:
    """Encrypt ``code`` as Toqio does, to the connector's public key (tests, sandbox tools).

    Args:
        public_key_pem: The PEM served at ``GET /security/public-key``.
        code: The clear security code.
        separate_wrapped_key: Send the RSA part as ``wrappedKey`` instead of in front.
    """
    public_key = serialization.load_pem_public_key(public_key_pem.encode("ascii"))
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SecurityCodeKeyInvalid("the security-code public key must be an RSA key")
    aes_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(aes_key).encrypt(nonce, code.encode("utf-8"), None)
    ciphertext, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    wrapped = public_key.encrypt(aes_key, OAEP)

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode("ascii")

    if separate_wrapped_key:
        return EncryptedSecurityCode(
            encrypted_security_code=b64(ciphertext),
            iv=b64(nonce),
            tag=b64(tag),
            wrapped_key=b64(wrapped),
        )
    return EncryptedSecurityCode(
        encrypted_security_code=b64(wrapped + ciphertext), iv=b64(nonce), tag=b64(tag)
    )


def create_development_private_key(path: str | Path) -> bytes:
    """The PEM private key in the file at ``path``, made (3072-bit RSA) if missing.

    For the embedded mode only: the file is readable by its owner only and written once,
    so two processes starting together end up with the same key.
    """
    target = Path(path)
    if not target.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=DEVELOPMENT_KEY_BITS)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        # A private temporary file linked into place: the second starter's link fails and
        # it reads the first one's key; nobody ever reads a half-written file.
        temporary = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
            with contextlib.suppress(FileExistsError):
                os.link(temporary, target)
        finally:
            temporary.unlink()
    return target.read_bytes()


def load_security_code_decryptor(
    configured: Secret | None, *, data_dir: str, allow_development_key: bool
) -> RsaSecurityCodeDecryptor:
    """The decryptor on ``CARDS_SECURITY_CODE_PRIVATE_KEY``, else a development key.

    Args:
        configured: PEM text, or the path of a PEM file.
        data_dir: Where the embedded mode keeps ``cards-keys/security-code-private.pem``.
        allow_development_key: True in the embedded mode only (SQLite).

    Raises:
        SecurityCodeKeyMissing: Nothing configured and no development key allowed.
        SecurityCodeKeyInvalid: The configured key is not a usable RSA private key.
    """
    if configured is not None:
        value = configured.reveal()
        if value.lstrip().startswith("-----BEGIN"):
            return RsaSecurityCodeDecryptor.from_pem(value)
        return RsaSecurityCodeDecryptor.from_pem(Path(value).read_bytes())
    if not allow_development_key:
        raise SecurityCodeKeyMissing(
            "CARDS_SECURITY_CODE_PRIVATE_KEY is required with a PostgreSQL database: set it "
            "to the RSA private key (PEM text or a PEM file's path) Toqio encrypts codes to"
        )
    path = Path(data_dir) / "cards-keys" / DEVELOPMENT_KEY_FILE
    decryptor = RsaSecurityCodeDecryptor.from_pem(create_development_private_key(path))
    # The path only: the key itself never reaches a log.
    _log.warning("cards.development_security_code_key", path=str(path))
    return decryptor
