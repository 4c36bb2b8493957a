"""Sandbox-only card endpoints (``SANDBOX_ENABLED``): processor refusals, codes, replacements.

- ``POST /sandbox/cards/processor/refusals`` ``{reason?, count?}``: the sandbox processor
  refuses the next ``count`` card requests (the card is closed and ``CARD_FAILED`` sent).
  Issuing a card whose ``nameOnCard`` contains ``DECLINE`` is refused too.
- ``GET /sandbox/cards/{cardId}/security-code``: the security code the processor "delivered"
  with the card (what the cardholder reads on the activation letter), to try activation.
- ``POST /sandbox/customers/{customerId}/cards/{cardId}/replace`` ``{reason}``: replace a
  card as the issuer's operations would (EXPIRED/DAMAGED keep the PAN, LOST/STOLEN do not).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Protocol, runtime_checkable

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from msgspec import Meta

from building_blocks.web import CamelStruct, CardOk, card_ok
from cards.application.cards.replace import ReplaceCard, ReplaceCardCommand
from cards.domain import errors
from cards.domain.lifecycle import Actor, ChangeContext, Channel
from cards.domain.replacement import ReplacementReason
from cards.entrypoints.http.card_schemas import CardResponse

SANDBOX_TAGS = ["Sandbox"]
SANDBOX_OPERATOR = "sandbox"


# Runtime-checkable: Litestar checks each injected dependency against its annotation.
@runtime_checkable
class SandboxCardProcessorControls(Protocol):
    """What these endpoints need of the sandbox card processor (``SandboxCardProcessor``)."""

    def arm_refusal(self, reason: str = ..., count: int = 1) -> int:
        """Refuse the next ``count`` card requests; how many are armed."""
        ...

    def security_code(self, card_id: str) -> str | None:
        """The code delivered with the card, if the sandbox made it."""
        ...


class RefusalRequest(CamelStruct, frozen=True, kw_only=True):
    """How many of the next card requests to refuse, and why."""

    reason: Annotated[str, Meta(min_length=1, max_length=200)] | None = None
    count: Annotated[int, Meta(ge=1, le=100)] = 1


class RefusalsArmed(CamelStruct, frozen=True, kw_only=True):
    """How many refusals are armed now."""

    armed: int


class SecurityCodeResponse(CamelStruct, frozen=True, kw_only=True):
    """A card's security code, as printed on its activation letter."""

    card_id: str
    security_code: str


class ReplaceCardRequest(CamelStruct, frozen=True, kw_only=True):
    """Why the card is replaced."""

    reason: ReplacementReason


class SandboxCardController(Controller):
    """``/sandbox``: card requests refused on demand, security codes, replacements."""

    path = "/sandbox"
    tags = SANDBOX_TAGS

    @post("/cards/processor/refusals", operation_id="sandboxArmCardRefusals", status_code=200)
    async def arm_refusals(
        self,
        data: JSONBody[RefusalRequest],
        sandbox_card_processor: NamedDependency[SandboxCardProcessorControls],
    ) -> Response[CardOk[RefusalsArmed]]:
        """Have the sandbox processor refuse the next card requests."""
        if data.reason is None:
            armed = sandbox_card_processor.arm_refusal(count=data.count)
        else:
            armed = sandbox_card_processor.arm_refusal(data.reason, data.count)
        return card_ok(RefusalsArmed(armed=armed))

    @get("/cards/{cardId:str}/security-code", operation_id="sandboxCardSecurityCode")
    async def security_code(
        self,
        cardId: FromPath[str],  # noqa: N803
        sandbox_card_processor: NamedDependency[SandboxCardProcessorControls],
    ) -> Response[CardOk[SecurityCodeResponse]]:
        """The card's security code; 404 ``CARD_NOT_FOUND`` if the sandbox did not make it."""
        code = sandbox_card_processor.security_code(cardId)
        if code is None:
            raise errors.card_not_found(cardId)
        return card_ok(SecurityCodeResponse(card_id=cardId, security_code=code))

    @post(
        "/customers/{customerId:str}/cards/{cardId:str}/replace",
        operation_id="sandboxReplaceCard",
        status_code=200,
    )
    async def replace(
        self,
        customerId: FromPath[str],  # noqa: N803
        cardId: FromPath[str],  # noqa: N803
        data: JSONBody[ReplaceCardRequest],
        replace_card: NamedDependency[ReplaceCard],
        card_provider: NamedDependency[str],
    ) -> Response[CardOk[CardResponse]]:
        """Replace the card as the issuer's operations would; the successor is answered."""
        context = ChangeContext(
            actor=Actor.operator(SANDBOX_OPERATOR),
            channel=Channel.ISSUER_OPS,
            reason=f"card {data.reason.value.lower()}: replaced through the sandbox",
            at=datetime.now(UTC),
        )
        command = ReplaceCardCommand(
            tenant_id=customerId, card_id=cardId, reason=data.reason, context=context
        )
        view = await replace_card(command)
        return card_ok(CardResponse.of(view, card_provider))
