"""The ports the security-code use cases need: decryption, code attempts, OTPs, TOTP secrets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from cards.application.cards.ports import CardsWork
from cards.application.security.lockout import CodeAttempts


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class EncryptedSecurityCode:
    """Toqio's ``EncryptedSecurityCode`` as received: base64 texts, opened only by a decryptor.

    ``wrapped_key`` is the spec's optional separate key field: when present it carries the
    RSA-encrypted AES key and ``encrypted_security_code`` the AES ciphertext alone.
    """

    encrypted_security_code: str
    iv: str
    tag: str
    wrapped_key: str | None = None

    def __repr__(self) -> str:
        return "EncryptedSecurityCode(<hidden>)"


class SecurityCodeUnreadable(Exception):
    """The code does not decrypt: wrong key, altered, truncated or not base64.

    Never shown to a caller as such: the use cases treat it exactly as a wrong code.
    """


class SecurityCodeDecryptor(Protocol):
    """Opens the security code Toqio encrypted to this connector's public key."""

    def decrypt(self, encrypted: EncryptedSecurityCode) -> str:
        """The clear code.

        Raises:
            SecurityCodeUnreadable: Anything that does not decrypt to text.
        """
        ...


class CodeAttemptRepository(Protocol):
    """Each card's consecutive wrong codes, inside the unit of work's transaction."""

    async def lock(self, tenant_id: str, card_id: str) -> CodeAttempts:
        """The card's attempts (none yet: zero), locked until the transaction ends.

        Concurrent checks of one card's code queue behind each other, so two wrong codes
        sent at once are both counted before either is answered.
        """
        ...

    async def save(self, tenant_id: str, card_id: str, attempts: CodeAttempts) -> None:
        """Store the card's new attempts."""
        ...


class SecurityWork(CardsWork, Protocol):
    """The cards unit of work (with issuing records) plus each card's code attempts."""

    @property
    def code_attempts(self) -> CodeAttemptRepository: ...


SecurityWorkFactory = Callable[[], SecurityWork]


class OtpVerifier(Protocol):
    """Checks the ``baasOTP`` Toqio relays for an operation the provider asked one for."""

    def verify(self, *, tenant_id: str, operation_id: str | None, otp: str | None) -> bool:
        """Whether ``otp`` is the one expected for ``operation_id``."""
        ...


class TotpSecretSource(Protocol):
    """The base32 RFC 6238 secret of a card's authenticator-app codes."""

    def secret(self, tenant_id: str, card_id: str) -> str:
        """The card's TOTP secret, base32 without padding."""
        ...
