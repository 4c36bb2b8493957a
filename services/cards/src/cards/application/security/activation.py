"""ActivateCard and ActivateCardWithOtp: Toqio's activate and activateOTP, with the card's code.

Decisions (issue 6, point 1):

- Both need the card's security code (``CardTokenRequest.securityCode``), encrypted by Toqio;
  it passes the :class:`SecurityCodeGate`, lock-out included. ``token`` is tolerated and not
  read: the card is named by the path, and the security code is the proof of possession.
- The card's own rules come first: a card that cannot be activated (CANCELLED, CLOSED,
  deleted, BLOCKED by the issuer) is refused with its lifecycle error before the code is
  looked at, so such a request changes nothing at all. Activating an ACTIVE card changes
  nothing either (Toqio retries its PUTs), but the code is still checked.
- A right code activates (PENDING_ACTIVATION or SUSPENDED to ACTIVE): the card, its
  transition, the ``CARD_STATUS_CHANGED`` audit entry and the ``CARD_STATUS_UPDATED`` webhook
  commit together (``announce_transition``). A wrong code commits only its refusal.
- ``activateOTP``: our sandbox processor never asks for an OTP, so by default ``baasOTP`` is
  not checked and the call activates exactly like ``activate``; with a configured sandbox
  OTP (see ``otp``), a different ``baasOTP`` is refused (``INVALID_OTP``, the spec's 401)
  before anything else. ``userId``, when sent, is the actor the change is recorded under.
"""

from __future__ import annotations

import copy

from cards.application.cards.changes import announce_transition, load_card, toqio_context
from cards.application.cards.views import CardView
from cards.application.security.errors import InvalidOtp, security_code_required
from cards.application.security.gate import CodeOperation, Requester, SecurityCodeGate
from cards.application.security.ports import (
    EncryptedSecurityCode,
    OtpVerifier,
    SecurityWorkFactory,
)


class ActivateCard:
    """Activate a card (or unfreeze a suspended one) for a requester with the card's code."""

    def __init__(self, units: SecurityWorkFactory, gate: SecurityCodeGate) -> None:
        self._units = units
        self._gate = gate

    async def __call__(
        self,
        tenant_id: str,
        card_id: str,
        presented: EncryptedSecurityCode | None,
        *,
        user_id: str | None = None,
        operation: str = "activateCard",
    ) -> CardView:
        """The card once active.

        Args:
            tenant_id: The Toqio customer.
            card_id: The card.
            presented: The encrypted security code; required.
            user_id: The Toqio user asking, when the request names one.
            operation: Toqio's operation, as the change's reason records it.

        Raises:
            InvalidInput: ``SECURITY_CODE_REQUIRED`` when no code is sent.
            NotFound: ``CARD_NOT_FOUND``.
            Conflict: ``CARD_TERMINAL_STATE``, ``CARD_TRANSITION_NOT_ALLOWED``, ``CARD_DELETED``.
            RuleViolated: ``CARD_ISSUER_ONLY`` for a card blocked by the issuer.
            InvalidSecurityCode: A wrong or unreadable code (audited).
            SecurityCodeLocked: Too many wrong codes in a row (audited).
        """
        if presented is None:
            raise security_code_required()
        context = toqio_context(operation, self._gate.clock(), user_id)
        requester = Requester(context.actor, context.channel)
        async with self._units() as work:
            card, issuance = await load_card(work, tenant_id, card_id, for_update=True)
            # The card's own refusal first, on a copy: the card itself changes only once
            # the code is right, so a refused code can never carry an activation with it.
            copy.deepcopy(card).activate(context)
            await self._gate.admit(
                work, card, presented, operation=CodeOperation.ACTIVATE, requester=requester
            )
            transition = card.activate(context)
            if transition is not None:
                await work.cards.save(card)
                await announce_transition(work, transition)
            await work.commit()
        return CardView(card=card, issuance=issuance)


class ActivateCardWithOtp:
    """Toqio's activateOTP: the OTP the provider asked for (if any), then ``ActivateCard``."""

    def __init__(self, activate: ActivateCard, otp: OtpVerifier) -> None:
        self._activate = activate
        self._otp = otp

    async def __call__(
        self,
        tenant_id: str,
        card_id: str,
        presented: EncryptedSecurityCode | None,
        *,
        otp: str | None,
        operation_id: str | None,
        user_id: str | None = None,
    ) -> CardView:
        """The card once active.

        Raises:
            InvalidOtp: ``INVALID_OTP`` when the provider expects another OTP.
            DomainError: As :class:`ActivateCard`.
        """
        if not self._otp.verify(tenant_id=tenant_id, operation_id=operation_id, otp=otp):
            raise InvalidOtp()
        return await self._activate(
            tenant_id, card_id, presented, user_id=user_id, operation="activateCardOTP"
        )
