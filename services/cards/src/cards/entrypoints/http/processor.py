"""The card processor's endpoints (authorizations, advices, clearings, reversals) and the sandbox's.

Served behind ``X-Api-Key: $CARDS_PROCESSOR_API_KEY`` (compared in constant time; unset, every
call is refused). Answers are the processor's bare bodies; failures use the app's error
envelope. An unknown card is a 200 DECLINED with reason CARD_NOT_FOUND, not a 404: the
processor needs a decision to give the merchant. The same processor id with another request is
a 409 (``AUTHORIZATION_MISMATCH``) and changes nothing; while the first is still waiting for
funds, a 409 ``AUTHORIZATION_IN_PROGRESS`` asks to send it again.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from litestar import Controller, Response, Router, post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, JSONBody
from litestar.types import ControllerRouterHandler, Guard

from building_blocks.auth import AuthenticationFailed
from building_blocks.settings import Secret
from building_blocks.web import REPLAYED_HEADER, CardOk, card_ok
from cards.application.authorizations.authorize import AuthorizationAnswer, Authorize
from cards.application.authorizations.settle import (
    ClearAuthorization,
    ReverseAuthorization,
    Settlement,
)
from cards.domain.authorization_decision import AuthorizationKind, AuthorizationRequest
from cards.entrypoints.http.processor_schemas import (
    SANDBOX_MERCHANT,
    AuthorizationIn,
    AuthorizationOut,
    SandboxAmountIn,
    SandboxPurchaseIn,
    SandboxPurchaseOut,
    SettlementIn,
    SettlementOut,
    authorization_request,
    card_id_of,
    merchant_of,
    money_of,
)
from shared_kernel.domain.ids import new_id

API_KEY_HEADER = "X-Api-Key"
PROCESSOR_DISABLED_MESSAGE = (
    "CARDS_PROCESSOR_API_KEY is not configured: card processor calls are refused"
)
SANDBOX_PROCESSOR_PREFIX = "sandbox-"
TAGS = ["Processor"]
SANDBOX_TAGS = ["Sandbox"]


def _digest(text: str) -> bytes:
    # Comparing digests, not the texts, keeps even the configured key's length secret.
    return hashlib.sha256(text.encode()).digest()


def processor_key_guard(api_key: Secret | None, header: str = API_KEY_HEADER) -> Guard:
    """Admit calls whose ``header`` holds the processor's key; refuse all when it is unset."""
    expected = _digest(api_key.reveal()) if api_key is not None and api_key.reveal() else None

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if expected is None:
            raise AuthenticationFailed(PROCESSOR_DISABLED_MESSAGE)
        presented = connection.headers.get(header)
        if not presented:
            raise AuthenticationFailed(f"The {header} header is missing")
        if not hmac.compare_digest(_digest(presented), expected):
            raise AuthenticationFailed("The processor API key is not valid")

    return guard


def _decision(answer: AuthorizationAnswer) -> Response[AuthorizationOut]:
    headers = {REPLAYED_HEADER: "true"} if answer.replayed else {}
    return Response(AuthorizationOut.of(answer), status_code=200, headers=headers)


def _settlement(data: SettlementIn) -> Settlement:
    return Settlement(
        processor_id=data.processor_id,
        authorization_id=data.authorization_id,
        amount=data.amount,
    )


class ProcessorController(Controller):
    """``/processor``: what the card processor calls, each idempotent on its own id."""

    path = "/processor"
    tags = TAGS

    @post(
        "/authorizations",
        operation_id="processorAuthorize",
        status_code=200,
        summary="Decide an authorization: APPROVED (funds held) or DECLINED with a reason",
    )
    async def authorize(
        self, data: JSONBody[AuthorizationIn], authorize: NamedDependency[Authorize]
    ) -> Response[AuthorizationOut]:
        """The stored decision for a known processor id, else a new one within the deadline."""
        return _decision(await authorize(authorization_request(data)))

    @post(
        "/advices",
        operation_id="processorAdvise",
        status_code=200,
        summary="Record an authorization the processor approved in stand-in; asks for the hold",
    )
    async def advise(
        self, data: JSONBody[AuthorizationIn], authorize: NamedDependency[Authorize]
    ) -> Response[AuthorizationOut]:
        """Approved whatever the card's state or limits: the processor already approved it."""
        request = authorization_request(data, AuthorizationKind.ADVICE)
        return _decision(await authorize(request))

    @post(
        "/clearings",
        operation_id="processorClear",
        status_code=200,
        summary="Clear an approved authorization: post (part of) its hold",
    )
    async def clear(
        self,
        data: JSONBody[SettlementIn],
        clear_authorization: NamedDependency[ClearAuthorization],
    ) -> SettlementOut:
        """Post the amount cleared; accounts_payments releases the rest of the hold."""
        return SettlementOut.of(await clear_authorization(_settlement(data)))

    @post(
        "/reversals",
        operation_id="processorReverse",
        status_code=200,
        summary="Reverse (part of) an approved authorization; all of it voids the hold",
    )
    async def reverse(
        self,
        data: JSONBody[SettlementIn],
        reverse_authorization: NamedDependency[ReverseAuthorization],
    ) -> SettlementOut:
        """Reverse the amount; reversing everything still open releases the hold."""
        return SettlementOut.of(await reverse_authorization(_settlement(data)))


class SandboxProcessorController(Controller):
    """``/sandbox``: the sandbox card processor, for trying cards out (``SANDBOX_ENABLED``)."""

    path = "/sandbox"
    tags = SANDBOX_TAGS

    @post(
        "/cards/{cardId:str}/purchases",
        operation_id="sandboxCardPurchase",
        status_code=200,
        summary="Pay with a card, as the card processor would ask (a made-up processor id)",
    )
    async def purchase(
        self,
        cardId: FromPath[str],  # noqa: N803
        data: JSONBody[SandboxPurchaseIn],
        authorize: NamedDependency[Authorize],
    ) -> Response[CardOk[SandboxPurchaseOut]]:
        """The decision on a purchase sent through the processor's own use case."""
        processor_id = f"{SANDBOX_PROCESSOR_PREFIX}{new_id()}"
        request = AuthorizationRequest(
            processor_id=processor_id,
            card_id=card_id_of(cardId),
            amount=money_of(data.amount, data.currency),
            merchant=merchant_of(data.merchant or SANDBOX_MERCHANT),
        )
        answer = await authorize(request)
        return card_ok(
            SandboxPurchaseOut(
                processor_id=processor_id,
                decision=answer.decision,
                reason=answer.reason,
                authorization_id=answer.authorization_id,
            )
        )

    @post(
        "/authorizations/{authorizationId:str}/clearings",
        operation_id="sandboxClearAuthorization",
        status_code=200,
        summary="Clear a sandbox authorization, as the card processor would",
    )
    async def clear(
        self,
        authorizationId: FromPath[str],  # noqa: N803
        data: JSONBody[SandboxAmountIn],
        clear_authorization: NamedDependency[ClearAuthorization],
    ) -> Response[CardOk[SettlementOut]]:
        """Post ``amount`` of the authorization's hold."""
        settlement = Settlement(
            processor_id=f"{SANDBOX_PROCESSOR_PREFIX}{new_id()}",
            authorization_id=authorizationId,
            amount=data.amount,
        )
        return card_ok(SettlementOut.of(await clear_authorization(settlement)))

    @post(
        "/authorizations/{authorizationId:str}/reversals",
        operation_id="sandboxReverseAuthorization",
        status_code=200,
        summary="Reverse a sandbox authorization, as the card processor would",
    )
    async def reverse(
        self,
        authorizationId: FromPath[str],  # noqa: N803
        data: JSONBody[SandboxAmountIn],
        reverse_authorization: NamedDependency[ReverseAuthorization],
    ) -> Response[CardOk[SettlementOut]]:
        """Reverse ``amount`` of the authorization."""
        settlement = Settlement(
            processor_id=f"{SANDBOX_PROCESSOR_PREFIX}{new_id()}",
            authorization_id=authorizationId,
            amount=data.amount,
        )
        return card_ok(SettlementOut.of(await reverse_authorization(settlement)))


def _constant(value: object) -> Provide:
    def provide() -> object:
        return value

    return Provide(provide, use_cache=True, sync_to_thread=False)


def processor_route_handlers(
    *,
    api_key: Secret | None,
    authorize: Authorize,
    clear_authorization: ClearAuthorization,
    reverse_authorization: ReverseAuthorization,
    sandbox_enabled: bool = False,
) -> list[ControllerRouterHandler]:
    """The processor's routes behind its API key, plus the sandbox's when ``sandbox_enabled``.

    Register them outside the Toqio JWT guard: the processor and testers call them, not Toqio.
    """
    dependencies = {
        "authorize": _constant(authorize),
        "clear_authorization": _constant(clear_authorization),
        "reverse_authorization": _constant(reverse_authorization),
    }
    handlers: list[ControllerRouterHandler] = [
        Router(
            path="/",
            route_handlers=[ProcessorController],
            guards=[processor_key_guard(api_key)],
            dependencies=dependencies,
        )
    ]
    if sandbox_enabled:
        handlers.append(
            Router(path="/", route_handlers=[SandboxProcessorController], dependencies=dependencies)
        )
    return handlers
