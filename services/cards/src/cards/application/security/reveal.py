"""RevealPan and RevealPin: a card's details shown to its holder, with the right code only.

Decisions (issue 6, point 4):

- The card's security code, encrypted by Toqio, must pass the :class:`SecurityCodeGate`
  (lock-out included). A refusal is audited (``REVEAL_REFUSED``) and changes nothing else.
- A card's details are shown while the card can still be used or become usable again:
  PENDING_ACTIVATION (a cardholder may need the number of a card in the post), ACTIVE and
  SUSPENDED (frozen by the cardholder, who can unfreeze it). They are refused, without
  looking at the code or the vault, for a card that is CANCELLED, CLOSED or deleted (dead:
  nothing about it should leave the vault again) or BLOCKED (frozen by the issuer, usually
  for fraud). Such a refusal is audited too, with ``CARD_NOT_REVEALABLE``.
- A PAN reveal opens the PAN from the vault, derives the CVV (never stored) and shows the
  expiry: audited as ``PAN_REVEALED`` plus ``SECRET_DECRYPTED`` (field and key version).
  A PIN reveal opens the sealed PIN: ``PIN_REVEALED`` plus ``SECRET_DECRYPTED``. The audit
  entries commit with the reset of the card's failure count, before the answer leaves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cards.application.security.errors import (
    reveal_not_allowed,
    secret_not_available,
    security_code_required,
)
from cards.application.security.gate import (
    CodeOperation,
    RefusalReason,
    Requester,
    SecurityCodeGate,
    audit_event,
    record_refusal,
    toqio_requester,
)
from cards.application.security.ports import (
    EncryptedSecurityCode,
    SecurityWork,
    SecurityWorkFactory,
)
from cards.application.vault.vault import CardVault
from cards.domain import errors
from cards.domain.audit import AuditAction
from cards.domain.card import Card
from cards.domain.expiry import Expiry
from cards.domain.lifecycle import CardStatus
from cards.domain.pan import Pan
from cards.domain.secrets import Pin, SealedSecret, SecretField

REVEALABLE_STATUSES = frozenset(
    {CardStatus.PENDING_ACTIVATION, CardStatus.ACTIVE, CardStatus.SUSPENDED}
)


@dataclass(frozen=True, slots=True, repr=False)
class RevealedCard:
    """A card's PAN, CVV and expiry, for the one answer that shows them."""

    pan: Pan
    cvv: str = field(repr=False)
    expiry: Expiry

    def __repr__(self) -> str:
        return f"RevealedCard(pan={self.pan!r}, cvv=***, expiry={self.expiry.mm_yy()})"


def why_not_revealable(card: Card) -> str | None:
    """Why nothing of ``card`` may be shown now, else ``None``."""
    if card.is_deleted:
        return "the card was deleted"
    if card.status not in REVEALABLE_STATUSES:
        return f"the card is {card.status.value}"
    return None


class _Reveal:
    """What both reveals share: the card, its state, the gate, and the audit of a decrypt."""

    operation: CodeOperation

    def __init__(
        self,
        unit_of_work: SecurityWorkFactory,
        gate: SecurityCodeGate,
        vault: CardVault,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._gate = gate
        self._vault = vault

    async def _admitted_card(
        self,
        uow: SecurityWork,
        tenant_id: str,
        card_id: str,
        presented: EncryptedSecurityCode,
        requester: Requester,
    ) -> Card:
        card = await uow.cards.get(tenant_id, card_id)
        if card is None:
            raise errors.card_not_found(card_id)
        why = why_not_revealable(card)
        if why is not None:
            await record_refusal(
                uow,
                card,
                requester,
                self._gate.clock(),
                operation=self.operation,
                reason=RefusalReason.CARD_NOT_REVEALABLE,
            )
            raise reveal_not_allowed(card_id, why)
        await self._gate.admit(uow, card, presented, operation=self.operation, requester=requester)
        return card

    async def _audit_reveal(
        self,
        uow: SecurityWork,
        card: Card,
        sealed: SealedSecret,
        requester: Requester,
        action: AuditAction,
        details: dict[str, str],
    ) -> None:
        now = self._gate.clock()
        decrypted = {
            "field": sealed.field.value,
            "keyVersion": str(sealed.key_version),
            "purpose": self.operation.value,
        }
        await uow.audit.append(audit_event(action, card, requester, now, details))
        await uow.audit.append(
            audit_event(AuditAction.SECRET_DECRYPTED, card, requester, now, decrypted)
        )


class RevealPan(_Reveal):
    """Show a card's PAN, CVV and expiry to a requester presenting the card's code."""

    operation = CodeOperation.PAN_REVEAL

    async def __call__(
        self,
        tenant_id: str,
        card_id: str,
        presented: EncryptedSecurityCode | None,
        *,
        user_id: str | None = None,
    ) -> RevealedCard:
        """The card's details.

        Raises:
            InvalidInput: ``SECURITY_CODE_REQUIRED`` when no code is sent.
            NotFound: ``CARD_NOT_FOUND``; ``CARD_SECRET_NOT_AVAILABLE`` if the vault has no PAN.
            Conflict: ``CARD_REVEAL_NOT_ALLOWED`` for a card in a state that shows nothing.
            InvalidSecurityCode: A wrong or unreadable code (audited).
            SecurityCodeLocked: Too many wrong codes in a row (audited).
        """
        if presented is None:
            raise security_code_required()
        requester = toqio_requester(user_id)
        async with self._unit_of_work() as uow:
            card = await self._admitted_card(uow, tenant_id, card_id, presented, requester)
            sealed = await uow.secrets.get(card.card_id, SecretField.PAN)
            if sealed is None:
                raise secret_not_available(card_id, "card number in the vault")
            pan = await self._vault.open_pan(sealed)
            revealed = RevealedCard(
                pan=pan, cvv=self._vault.cvv(pan, card.expiry), expiry=card.expiry
            )
            details = {"fields": "PAN,CVV,EXPIRY", "last4": pan.last4}
            await self._audit_reveal(
                uow, card, sealed, requester, AuditAction.PAN_REVEALED, details
            )
            await uow.commit()
        return revealed


class RevealPin(_Reveal):
    """Show a card's PIN to a requester presenting the card's code."""

    operation = CodeOperation.PIN_REVEAL

    async def __call__(
        self,
        tenant_id: str,
        card_id: str,
        presented: EncryptedSecurityCode | None,
        *,
        user_id: str | None = None,
    ) -> Pin:
        """The card's PIN.

        Raises:
            InvalidInput: ``SECURITY_CODE_REQUIRED`` when no code is sent.
            NotFound: ``CARD_NOT_FOUND``; ``CARD_SECRET_NOT_AVAILABLE`` for a card with no PIN.
            Conflict: ``CARD_REVEAL_NOT_ALLOWED`` for a card in a state that shows nothing.
            InvalidSecurityCode: A wrong or unreadable code (audited).
            SecurityCodeLocked: Too many wrong codes in a row (audited).
        """
        if presented is None:
            raise security_code_required()
        requester = toqio_requester(user_id)
        async with self._unit_of_work() as uow:
            card = await self._admitted_card(uow, tenant_id, card_id, presented, requester)
            sealed = await uow.secrets.get(card.card_id, SecretField.PIN)
            if sealed is None:
                raise secret_not_available(card_id, "PIN")
            pin = await self._vault.open_pin(sealed)
            await self._audit_reveal(
                uow, card, sealed, requester, AuditAction.PIN_REVEALED, {"fields": "PIN"}
            )
            await uow.commit()
        return pin
