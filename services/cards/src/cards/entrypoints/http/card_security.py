"""Activation with the security code, PAN/CVV/expiry and PIN reveal, the TOTP secret, public key.

Card Management endpoints (behind the Toqio JWT): ``PUT .../activate``, ``PUT
.../activateOTP``, ``POST .../pan``, ``GET .../pin``, ``GET .../pin/async`` and ``GET
/customers/{c}/card/{cardId}/secret``. ``GET /security/public-key`` is open: it serves the
RSA public key Toqio encrypts security codes to (see ``security_code_rsa``).

The spec gives the PIN GETs no way to carry the security code, so they take it in the
``X-Security-Code`` header: the three parts of ``EncryptedSecurityCode`` as a JSON object.
``/pin/async`` (deprecated, "POC only") is answered at once, 202 with the PIN. A wrong or
unreadable code is 401 ``INVALID_SECURITY_CODE`` (the spec's 401 for ``/pan``), a locked
card's code 429 ``SECURITY_CODE_LOCKED`` with ``Retry-After``, a wrong OTP 401
``INVALID_OTP``. Every answer that can show card data carries ``Cache-Control: no-store``.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, Router, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from litestar.types import ControllerRouterHandler, ExceptionHandlersMap, Guard

from building_blocks.web import CardOk, EnvelopeStyle, card_ok
from building_blocks.web.envelopes import ErrorEnvelope
from building_blocks.web.exception_handlers import INVALID_REQUEST, ToqioExceptionHandlers
from cards.application.security.activation import ActivateCard, ActivateCardWithOtp
from cards.application.security.errors import InvalidOtp, InvalidSecurityCode, SecurityCodeLocked
from cards.application.security.ports import EncryptedSecurityCode
from cards.application.security.reveal import RevealPan, RevealPin
from cards.application.security.totp import GetTotpSecret
from cards.config import SERVICE
from cards.entrypoints.http.card_schemas import CardResponse
from cards.entrypoints.http.card_security_schemas import (
    SECURITY_CODE_DECODER,
    SECURITY_CODE_HEADER,
    CardOtpIn,
    CardPanResponse,
    CardTokenRequestIn,
    PanRequestIn,
    PinResponse,
)
from shared_kernel.domain.errors import DomainError, FieldProblem, InvalidInput

PUBLIC_KEY_PATH = "/security/public-key"
PEM_MEDIA_TYPE = "application/x-pem-file"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
SECURITY_ERROR_STATUSES: dict[type[DomainError], int] = {
    InvalidSecurityCode: 401,
    InvalidOtp: 401,
    SecurityCodeLocked: 429,
}
"""HTTP statuses of the security errors (registered on these routes' own router)."""

_ERRORS = ToqioExceptionHandlers(
    service=SERVICE, style=EnvelopeStyle.CARD, error_statuses=SECURITY_ERROR_STATUSES
)


def _no_store(response: Response[Any]) -> Response[Any]:
    response.headers.update(NO_STORE)
    return response


def _security_error(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorEnvelope]:
    response = _ERRORS.domain_error(request, exc)
    if isinstance(exc, SecurityCodeLocked):
        response.headers["Retry-After"] = str(exc.retry_after_seconds)
    return _no_store(response)


SECURITY_EXCEPTION_HANDLERS: ExceptionHandlersMap = dict.fromkeys(
    SECURITY_ERROR_STATUSES, _security_error
)


def code_from_header(value: str | None) -> EncryptedSecurityCode | None:
    """The code in an ``X-Security-Code`` header; ``None`` when the header is absent.

    Raises:
        InvalidInput: ``INVALID_REQUEST`` when the header is not a JSON object.
    """
    if value is None or not value.strip():
        return None
    try:
        return SECURITY_CODE_DECODER.decode(value).presented()
    except msgspec.DecodeError:
        message = "must be a JSON object {encryptedSecurityCode, iv, tag}"
        raise InvalidInput(
            f"{SECURITY_CODE_HEADER}: {message}",
            code=INVALID_REQUEST,
            problems=(FieldProblem(SECURITY_CODE_HEADER, INVALID_REQUEST, message),),
        ) from None


class CardActivationController(Controller):
    """``/customers/{customerId}/cards/{cardId}/activate`` and ``/activateOTP``."""

    path = "/customers/{customerId:str}/cards"
    tags = ["Card Lifecycle", "Security"]

    @put(
        "/{cardId:str}/activate",
        operation_id="activateCard",
        summary="Activate card",
        description="Activate a physical card or unfreeze a suspended one, with its code.",
        status_code=200,
    )
    async def activate(
        self,
        customerId: FromPath[str],  # noqa: N803 - the spec's path segment name
        cardId: FromPath[str],  # noqa: N803 - the spec's path segment name
        activate_card: NamedDependency[ActivateCard],
        card_provider: NamedDependency[str],
        data: JSONBody[CardTokenRequestIn | None] = None,
    ) -> Response[CardOk[CardResponse]]:
        """The card once active; 401 ``INVALID_SECURITY_CODE`` for a wrong code."""
        presented = data.presented() if data is not None else None
        view = await activate_card(customerId, cardId, presented)
        return card_ok(CardResponse.of(view, card_provider), message="Card activated")

    @put(
        "/{cardId:str}/activateOTP",
        operation_id="activateCardOTP",
        summary="Activate card with OTP verification",
        description="Activate a card with the provider's OTP (none for the sandbox) and code.",
        status_code=200,
    )
    async def activate_with_otp(
        self,
        customerId: FromPath[str],  # noqa: N803 - the spec's path segment name
        cardId: FromPath[str],  # noqa: N803 - the spec's path segment name
        data: JSONBody[CardOtpIn],
        activate_card_with_otp: NamedDependency[ActivateCardWithOtp],
        card_provider: NamedDependency[str],
    ) -> Response[CardOk[CardResponse]]:
        """The card once active; 401 ``INVALID_OTP`` or ``INVALID_SECURITY_CODE``."""
        view = await activate_card_with_otp(
            customerId,
            cardId,
            data.presented(),
            otp=data.baas_otp,
            operation_id=data.operation_id,
            user_id=data.user_id,
        )
        return card_ok(CardResponse.of(view, card_provider), message="Card activated")


class CardRevealController(Controller):
    """``/customers/{customerId}/cards/{cardId}/pan``, ``/pin`` and ``/pin/async``."""

    path = "/customers/{customerId:str}/cards"
    tags = ["Card Details", "Security"]

    @post(
        "/{cardId:str}/pan",
        operation_id="getPan",
        summary="Get card PAN (Primary Account Number)",
        description="PAN, CVV and expiry of the card, for its encrypted security code.",
        status_code=200,
    )
    async def pan(
        self,
        customerId: FromPath[str],  # noqa: N803 - the spec's path segment name
        cardId: FromPath[str],  # noqa: N803 - the spec's path segment name
        data: JSONBody[PanRequestIn],
        reveal_pan: NamedDependency[RevealPan],
    ) -> Response[CardOk[CardPanResponse]]:
        """The card's details, audited; 401 for a wrong code, 429 while its code is locked."""
        revealed = await reveal_pan(customerId, cardId, data.presented())
        return _no_store(card_ok(CardPanResponse.of(revealed)))

    @get(
        "/{cardId:str}/pin",
        operation_id="getPin",
        summary="Get card PIN",
        description=f"The card's PIN, for its encrypted security code in {SECURITY_CODE_HEADER}.",
        status_code=200,
    )
    async def pin(
        self,
        request: Request[Any, Any, Any],
        customerId: FromPath[str],  # noqa: N803 - the spec's path segment name
        cardId: FromPath[str],  # noqa: N803 - the spec's path segment name
        reveal_pin: NamedDependency[RevealPin],
    ) -> Response[CardOk[PinResponse]]:
        """The card's PIN, audited; 401 for a wrong code, 429 while its code is locked."""
        presented = code_from_header(request.headers.get(SECURITY_CODE_HEADER))
        pin = await reveal_pin(customerId, cardId, presented)
        return _no_store(card_ok(PinResponse.of(pin)))

    @get(
        "/{cardId:str}/pin/async",
        operation_id="getPinAsync",
        summary="Get card PIN asynchronously (POC only)",
        description="Deprecated: answered at once, 202 with the PIN, as ``getPin``.",
        status_code=202,
        deprecated=True,
    )
    async def pin_async(
        self,
        request: Request[Any, Any, Any],
        customerId: FromPath[str],  # noqa: N803 - the spec's path segment name
        cardId: FromPath[str],  # noqa: N803 - the spec's path segment name
        reveal_pin: NamedDependency[RevealPin],
    ) -> Response[CardOk[PinResponse]]:
        """The card's PIN, like ``getPin``, with the spec's 202."""
        presented = code_from_header(request.headers.get(SECURITY_CODE_HEADER))
        pin = await reveal_pin(customerId, cardId, presented)
        return _no_store(card_ok(PinResponse.of(pin), 202))


class CardTotpController(Controller):
    """``/customers/{customerId}/card/{cardId}/secret`` (the spec's singular ``card``)."""

    path = "/customers/{customerId:str}/card"
    tags = ["Security"]

    @get(
        "/{cardId:str}/secret",
        operation_id="getTOTPSecret",
        summary="Get TOTP secret for card",
        description="The card's authenticator-app secret; 501 unless CARDS_TOTP_ENABLED.",
        status_code=200,
    )
    async def secret(
        self,
        customerId: FromPath[str],  # noqa: N803 - the spec's path segment name
        cardId: FromPath[str],  # noqa: N803 - the spec's path segment name
        get_totp_secret: NamedDependency[GetTotpSecret],
    ) -> Response[CardOk[str]]:
        """The base32 secret, audited; 501 ``FUNCTION_NOT_IMPLEMENTED_YET`` when not offered."""
        return _no_store(card_ok(await get_totp_secret(customerId, cardId)))


def _public_key_handler(pem: str) -> ControllerRouterHandler:
    @get(
        PUBLIC_KEY_PATH,
        operation_id="getSecurityCodePublicKey",
        summary="The RSA public key Toqio encrypts card security codes to",
        description="PEM (SubjectPublicKeyInfo); public, so served without authentication.",
        tags=["Security"],
        media_type=PEM_MEDIA_TYPE,
        status_code=200,
    )
    async def public_key() -> str:
        return pem

    return public_key


def _constant(value: object) -> Provide:
    def provide() -> object:
        return value

    return Provide(provide, use_cache=True, sync_to_thread=False)


def security_route_handlers(
    *,
    toqio_guards: list[Guard],
    public_key_pem: str,
    activate_card: ActivateCard,
    activate_card_with_otp: ActivateCardWithOtp,
    reveal_pan: RevealPan,
    reveal_pin: RevealPin,
    get_totp_secret: GetTotpSecret,
    card_provider: str,
) -> list[ControllerRouterHandler]:
    """The Card Management security routes behind ``toqio_guards``, and the open public key.

    Register the list as it is, not inside another guarded router: the public key must stay
    reachable without a token. The routes' own router maps the security errors to their
    statuses (401, 429) and headers.
    """
    dependencies = {
        "activate_card": _constant(activate_card),
        "activate_card_with_otp": _constant(activate_card_with_otp),
        "reveal_pan": _constant(reveal_pan),
        "reveal_pin": _constant(reveal_pin),
        "get_totp_secret": _constant(get_totp_secret),
        "card_provider": _constant(card_provider),
    }
    return [
        Router(
            path="/",
            route_handlers=[CardActivationController, CardRevealController, CardTotpController],
            guards=list(toqio_guards),
            dependencies=dependencies,
            exception_handlers=SECURITY_EXCEPTION_HANDLERS,
        ),
        _public_key_handler(public_key_pem),
    ]
