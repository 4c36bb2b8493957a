"""ReplaceCard: a successor for an expired, damaged, lost or stolen card (issuer operations).

EXPIRED and DAMAGED keep the PAN: the vault entry moves to the successor (opened, sealed
again for it, the old row removed, all in one transaction, audited as a decrypt), the PIN
moves likewise, and the successor gets a later expiry. LOST and STOLEN close the old card
in a transaction of its own first, so it stops working even if issuing the successor fails;
the successor then gets a new PAN and PIN. Either way the successor has a new security
code, is requested from the processor like any new card, and the old card ends CLOSED.
Toqio's card spec has no replacement operation: Toqio hears the old card's status change.
"""

from __future__ import annotations

from dataclasses import dataclass

from cards.application.cards.card_ids import new_card_id, new_pan_token
from cards.application.cards.changes import announce_transition, load_card
from cards.application.cards.credentials import CardCredentials
from cards.application.cards.issue import issued_event
from cards.application.cards.options import IssuingPolicy
from cards.application.cards.ports import (
    CardIssuance,
    CardProcessor,
    CardsWork,
    CardsWorkFactory,
    Clock,
    ProcessorCardRequest,
    SecurityCodeHasher,
)
from cards.application.cards.processor_requests import CardRequestSender
from cards.application.cards.views import CardView
from cards.application.vault.vault import CardVault
from cards.domain import errors
from cards.domain.audit import AuditAction, AuditEvent
from cards.domain.card import Card
from cards.domain.expiry import Expiry
from cards.domain.lifecycle import CardAction, CardStatus, CardTransition, ChangeContext
from cards.domain.pan import Pan, RandomDigits, secure_random_digits
from cards.domain.replacement import (
    ReplacementPlan,
    ReplacementReason,
    begin_replacement,
    replace_card,
    replacement_plan,
)
from cards.domain.secrets import SecretField
from shared_kernel.domain.errors import Conflict

CARD_ALREADY_REPLACED = "CARD_ALREADY_REPLACED"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplaceCardCommand:
    """Replace the tenant's card for ``reason``; ``context`` says who asks, how and why."""

    tenant_id: str
    card_id: str
    reason: ReplacementReason
    context: ChangeContext


def _closing(card: Card, previous: CardStatus, context: ChangeContext) -> CardTransition:
    # The transition the domain recorded when it closed the card (it keeps it for the
    # repository to store), rebuilt to be audited and announced.
    return CardTransition(
        card_id=card.card_id,
        tenant_id=card.tenant_id,
        action=CardAction.CLOSE,
        from_status=previous,
        to_status=card.status,
        actor=context.actor,
        channel=context.channel,
        reason=context.reason,
        at=context.at,
        version=card.version,
    )


def _event(action: AuditAction, card: Card, context: ChangeContext, **details: str) -> AuditEvent:
    return AuditEvent(
        action=action,
        actor=str(context.actor),
        channel=context.channel.value,
        tenant_id=card.tenant_id,
        subject=card.card_id,
        occurred_at=context.at,
        details={**details, "reason": context.reason},
    )


class ReplaceCard:
    """Replace a card under the domain's replacement plan."""

    def __init__(
        self,
        units: CardsWorkFactory,
        vault: CardVault,
        hasher: SecurityCodeHasher,
        processor: CardProcessor,
        policy: IssuingPolicy,
        clock: Clock,
        *,
        random_digits: RandomDigits = secure_random_digits,
    ) -> None:
        self._units = units
        self._vault = vault
        self._policy = policy
        self._credentials = CardCredentials(
            vault,
            hasher,
            policy.bin_range,
            pin_length=policy.pin_length,
            random_digits=random_digits,
        )
        self._send = CardRequestSender(units, processor, clock)

    async def __call__(self, command: ReplaceCardCommand) -> CardView:
        """The successor, after the processor's answer; the old card is CLOSED.

        Raises:
            NotFound: ``CARD_NOT_FOUND``.
            Conflict: ``CARD_TERMINAL_STATE``, ``CARD_DELETED``, ``CARD_ALREADY_REPLACED``.
            InvalidInput: ``INVALID_REPLACEMENT``.
        """
        plan = replacement_plan(command.reason)
        if plan.closes_old_first:
            await self._close_first(command)
        context = command.context
        async with self._units() as work:
            old, old_issuance = await load_card(
                work, command.tenant_id, command.card_id, for_update=True
            )
            await self._check_not_replaced(work, old)
            previous = old.status
            begin_replacement(old, command.reason, context)
            successor_id = new_card_id()
            expiry = self._successor_expiry(old, plan, context)
            if plan.keeps_pan:
                pan = await self._move_secrets(work, old, successor_id, context)
                successor = replace_card(
                    old, plan, card_id=successor_id, expiry=expiry, context=context
                )
            else:
                token = new_pan_token()
                pan, successor = await self._credentials.issue_pan(
                    work,
                    old.tenant_id,
                    successor_id,
                    lambda new_pan: replace_card(
                        old,
                        plan,
                        card_id=successor_id,
                        expiry=expiry,
                        context=context,
                        pan_ref=token,
                        last4=new_pan.last4,
                    ),
                )
                await self._credentials.issue_pin(work, old.tenant_id, successor_id)
            code = self._credentials.security_code(successor_id)
            await work.cards.save(old)
            if old.status is not previous:
                await announce_transition(work, _closing(old, previous, context))
            await work.cards.add(successor)
            await work.cards.record_issuance(
                successor_id,
                CardIssuance(
                    security_code_hash=code.hashed,
                    programme=old_issuance.programme,
                    design=old_issuance.design,
                ),
            )
            await work.audit.append(
                _event(
                    AuditAction.CARD_REPLACED,
                    old,
                    context,
                    replacedBy=successor_id,
                    replacement=command.reason.value,
                    keepsPan=str(plan.keeps_pan).lower(),
                )
            )
            await work.audit.append(issued_event(successor, context, replaces=old.card_id))
            await work.commit()
        await self._send(self._request(successor, pan, code.code, old_issuance))
        async with self._units() as work:
            successor, issuance = await load_card(work, command.tenant_id, successor_id)
        return CardView(card=successor, issuance=issuance)

    async def _close_first(self, command: ReplaceCardCommand) -> None:
        async with self._units() as work:
            card, _ = await load_card(work, command.tenant_id, command.card_id, for_update=True)
            await self._check_not_replaced(work, card)
            previous = card.status
            begin_replacement(card, command.reason, command.context)
            if card.status is not previous:
                await work.cards.save(card)
                await announce_transition(work, _closing(card, previous, command.context))
                await work.commit()

    @staticmethod
    async def _check_not_replaced(work: CardsWork, card: Card) -> None:
        siblings = await work.cards.of_account(card.tenant_id, card.profile.account_id)
        if any(other.profile.replaces_card_id == card.card_id for other in siblings):
            raise Conflict(
                f"card {card.card_id} has already been replaced", code=CARD_ALREADY_REPLACED
            )

    def _successor_expiry(self, old: Card, plan: ReplacementPlan, context: ChangeContext) -> Expiry:
        expiry = Expiry.years_after(context.at.date(), self._policy.validity_years)
        before = old.expiry
        if plan.keeps_pan and (expiry.year, expiry.month) <= (before.year, before.month):
            # The same PAN under the same expiry would be the same card: it must move on.
            month = before.month % 12 + 1
            expiry = Expiry(month=month, year=before.year + (month == 1))
        return expiry

    async def _move_secrets(
        self, work: CardsWork, old: Card, successor_id: str, context: ChangeContext
    ) -> Pan:
        sealed_pan = await work.secrets.get(old.card_id, SecretField.PAN)
        if sealed_pan is None:
            raise errors.invalid_replacement(f"card {old.card_id} has no PAN in the vault")
        pan = await self._vault.open_pan(sealed_pan)
        moved_pan = await self._vault.seal_pan(old.tenant_id, successor_id, pan)
        sealed_pin = await work.secrets.get(old.card_id, SecretField.PIN)
        moved_pin = (
            None
            if sealed_pin is None
            else await self._vault.rebind(sealed_pin, card_id=successor_id)
        )
        # The fingerprint is unique: the old row goes before the successor's comes.
        await work.secrets.remove(old.card_id, SecretField.PAN)
        await work.secrets.add(moved_pan.sealed, moved_pan.fingerprint)
        if moved_pin is None:
            await self._credentials.issue_pin(work, old.tenant_id, successor_id)
        else:
            await work.secrets.remove(old.card_id, SecretField.PIN)
            await work.secrets.add(moved_pin)
        for field in (
            (SecretField.PAN,) if moved_pin is None else (SecretField.PAN, SecretField.PIN)
        ):
            await work.audit.append(
                _event(
                    AuditAction.SECRET_DECRYPTED,
                    old,
                    context,
                    field=field.value,
                    purpose="replacement keeping the PAN",
                    movedTo=successor_id,
                )
            )
        return pan

    def _request(
        self, card: Card, pan: Pan, security_code: str, issuance: CardIssuance
    ) -> ProcessorCardRequest:
        profile = card.profile
        return ProcessorCardRequest(
            card_id=card.card_id,
            tenant_id=card.tenant_id,
            account_id=profile.account_id,
            form=profile.form,
            funding=profile.funding,
            currency=profile.currency,
            expiry=profile.expiry,
            pan=pan,
            security_code=security_code,
            name_on_card=profile.name_on_card,
            replaces_card_id=profile.replaces_card_id,
            programme=issuance.programme,
            design=issuance.design,
        )
