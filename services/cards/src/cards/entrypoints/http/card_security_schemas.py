"""Request and response bodies of activation, reveal and TOTP, as the card spec names them.

Requests are tolerant (unknown fields ignored); their ``repr`` never shows what they carry.
"""

from __future__ import annotations

import msgspec

from building_blocks.web import CamelStruct
from cards.application.security.ports import EncryptedSecurityCode
from cards.application.security.reveal import RevealedCard
from cards.domain.secrets import Pin

SECURITY_CODE_HEADER = "X-Security-Code"


class EncryptedSecurityCodeIn(CamelStruct, frozen=True, kw_only=True):
    """The spec's ``EncryptedSecurityCode`` (and the ``/pan`` body's optional ``wrappedKey``)."""

    encrypted_security_code: str | None = None
    iv: str | None = None
    tag: str | None = None
    wrapped_key: str | None = None

    def __repr__(self) -> str:
        return "EncryptedSecurityCodeIn(<hidden>)"

    def presented(self) -> EncryptedSecurityCode | None:
        """The code to check; ``None`` when no ``encryptedSecurityCode`` is sent at all.

        A code without ``iv`` or ``tag`` is still presented: it cannot decrypt, so it is
        refused (and audited) as a wrong code.
        """
        if not self.encrypted_security_code:
            return None
        return EncryptedSecurityCode(
            encrypted_security_code=self.encrypted_security_code,
            iv=self.iv or "",
            tag=self.tag or "",
            wrapped_key=self.wrapped_key or None,
        )


class PanRequestIn(EncryptedSecurityCodeIn, frozen=True, kw_only=True):
    """The ``/pan`` body: the encrypted code's fields at the top, as the spec shows them.

    A ``CardTokenRequest``-shaped body (the code under ``securityCode``) is read too.
    """

    security_code: EncryptedSecurityCodeIn | None = None

    def __repr__(self) -> str:
        return "PanRequestIn(<hidden>)"

    def presented(self) -> EncryptedSecurityCode | None:
        """The top-level code, else the nested one, else ``None``."""
        top = EncryptedSecurityCodeIn.presented(self)
        if top is not None or self.security_code is None:
            return top
        return self.security_code.presented()


class CardTokenRequestIn(CamelStruct, frozen=True, kw_only=True):
    """The spec's ``CardTokenRequest``: an activation token (not read) and the security code."""

    token: str | None = None
    security_code: EncryptedSecurityCodeIn | None = None

    def __repr__(self) -> str:
        return "CardTokenRequestIn(<hidden>)"

    def presented(self) -> EncryptedSecurityCode | None:
        """The security code, ``None`` when not sent."""
        return None if self.security_code is None else self.security_code.presented()


class CardOtpIn(CamelStruct, frozen=True, kw_only=True):
    """The spec's ``CardOTP``: the provider's OTP, its operation, the user and the code."""

    baas_otp: str | None = msgspec.field(default=None, name="baasOTP")
    operation_id: str | None = None
    user_id: str | None = None
    card_token_request: CardTokenRequestIn | None = None

    def __repr__(self) -> str:
        return f"CardOtpIn(operation_id={self.operation_id!r}, user_id={self.user_id!r})"

    def presented(self) -> EncryptedSecurityCode | None:
        """The security code inside ``cardTokenRequest``, ``None`` when not sent."""
        return None if self.card_token_request is None else self.card_token_request.presented()


class CardPanResponse(CamelStruct, frozen=True, kw_only=True):
    """The spec's ``CardPanResponse``: PAN, CVV and expiry ``MM/YY``."""

    pan: str
    cvv: str
    expiry_date: str

    def __repr__(self) -> str:
        return "CardPanResponse(<hidden>)"

    @classmethod
    def of(cls, revealed: RevealedCard) -> CardPanResponse:
        """The answer showing ``revealed``."""
        return cls(pan=revealed.pan.digits, cvv=revealed.cvv, expiry_date=revealed.expiry.mm_yy())


class PinResponse(CamelStruct, frozen=True, kw_only=True):
    """The spec's ``PinResponse``."""

    pin: str

    def __repr__(self) -> str:
        return "PinResponse(<hidden>)"

    @classmethod
    def of(cls, pin: Pin) -> PinResponse:
        """The answer showing ``pin``."""
        return cls(pin=pin.digits)


SECURITY_CODE_DECODER = msgspec.json.Decoder(EncryptedSecurityCodeIn)
"""Reads the ``X-Security-Code`` header of the PIN GETs: the three parts as a JSON object."""
