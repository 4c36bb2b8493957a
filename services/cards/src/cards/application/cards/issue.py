"""IssueCard: Toqio's issueCard, a virtual or physical debit card on one of its accounts.

One transaction stores the card (ACTIVE if virtual, PENDING_ACTIVATION if physical), its PAN
(Luhn-valid in the BIN range, sealed, unique by fingerprint), a PIN (sealed), the hash of
its six-digit security code and the ``CARD_ISSUED`` audit entry. Then the processor is asked
for the card (see ``processor_requests``): the answer is the card as it stands after that.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from cards.application.cards.card_ids import new_card_id, new_pan_token
from cards.application.cards.changes import load_card, toqio_context
from cards.application.cards.credentials import CardCredentials
from cards.application.cards.limit_input import WireLimit, limit_values
from cards.application.cards.options import IssuingPolicy
from cards.application.cards.ports import (
    CardIssuance,
    CardProcessor,
    CardsWorkFactory,
    Clock,
    DeliveryAddress,
    ProcessorCardRequest,
    SecurityCodeHasher,
)
from cards.application.cards.processor_requests import CardRequestSender
from cards.application.cards.views import CardView
from cards.application.vault.vault import CardVault
from cards.domain import errors
from cards.domain.audit import AuditAction, AuditEvent
from cards.domain.card import Card
from cards.domain.card_profile import CardProfile
from cards.domain.card_types import CardForm, ClientType, FundingType
from cards.domain.expiry import Expiry
from cards.domain.lifecycle import ChangeContext
from cards.domain.limits import CardLimits, LimitKind
from cards.domain.pan import Pan, RandomDigits, generate_pan, secure_random_digits
from shared_kernel.domain.money import Currency


@dataclass(frozen=True, slots=True, kw_only=True)
class IssueCardCommand:
    """Toqio's ``IssueCardRequest``, as the use case needs it.

    ``company_id`` and ``currency`` are optional in Toqio's spec but a card cannot exist
    without them here (the client it is issued under, the currency of its account): a
    request without them is refused naming the field. ``client_type`` picks the limit
    bounds (Toqio's issue request has no such field; the policy's default applies).
    """

    tenant_id: str
    account_id: str
    company_id: str | None
    currency: str | None
    user_id: str | None = None
    physical: bool = False
    funding: str = FundingType.DEBIT.value
    name_on_card: str | None = field(default=None, repr=False)
    read_only: bool = False
    limits: Mapping[LimitKind, WireLimit] = field(default_factory=dict)
    client_type: str | None = None
    programme: str | None = None
    design: str | None = None
    delivery_name: str | None = field(default=None, repr=False)
    delivery_address: DeliveryAddress | None = None


MAX_LABEL_LENGTH = 64
_LONG_DIGIT_RUN = re.compile(r"\d{12,}")


def checked_label(field_name: str, value: str | None) -> str | None:
    """Toqio's ``cardProgramme`` or ``cardDesign``: a short printable name, or ``None``.

    Raises:
        InvalidInput: ``INVALID_CARD`` naming the field (too long, unprintable, a number).
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if len(text) > MAX_LABEL_LENGTH or not text.isprintable() or _LONG_DIGIT_RUN.search(text):
        raise errors.invalid_card_field(
            field_name, f"must be a printable name of at most {MAX_LABEL_LENGTH} characters"
        )
    return text


def _required(field_name: str, value: str | None) -> str:
    if value is None or not value.strip():
        raise errors.invalid_card_field(field_name, "is required to issue a card")
    return value


def funding_of(value: str) -> FundingType:
    """Toqio's ``fundingType``: DEBIT is issued, CREDIT and PREPAID are refused as not supported.

    Raises:
        NotImplementedByProvider: ``FUNCTION_NOT_IMPLEMENTED_YET`` for CREDIT, PREPAID or a
            value Toqio may add later (the field is extensible).
    """
    try:
        return FundingType(value.strip().upper())
    except ValueError:
        raise errors.funding_not_supported(value.strip()[:20] or "blank") from None


def client_type_of(value: str | None, default: ClientType) -> ClientType:
    """Toqio's ``clientType``, ``default`` when absent.

    Raises:
        InvalidInput: ``INVALID_CARD`` naming ``clientType`` for an unknown value.
    """
    if value is None:
        return default
    try:
        return ClientType(value.strip().upper())
    except ValueError:
        raise errors.invalid_card_field("clientType", "must be BUSINESS or CONSUMER") from None


class IssueCard:
    """Issue a card, then ask the processor for it."""

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
        self._policy = policy
        self._clock = clock
        self._credentials = CardCredentials(
            vault,
            hasher,
            policy.bin_range,
            pin_length=policy.pin_length,
            random_digits=random_digits,
        )
        self._send = CardRequestSender(units, processor, clock)

    async def __call__(self, command: IssueCardCommand) -> CardView:
        """The new card, after the processor's answer (CLOSED if it refused the card).

        Raises:
            InvalidInput: ``INVALID_CARD`` or ``INVALID_LIMITS`` naming the field at fault.
            NotImplementedByProvider: ``FUNCTION_NOT_IMPLEMENTED_YET`` for non-debit cards.
        """
        funding = funding_of(command.funding)
        currency = Currency.of(_required("currency", command.currency))
        client_type = client_type_of(command.client_type, self._policy.client_type)
        programme = checked_label("cardProgramme", command.programme)
        design = checked_label("cardDesign", command.design)
        limits = CardLimits.of(
            currency,
            {k: v for k, v in limit_values(currency, command.limits).items() if v is not None},
        )
        bounds = self._policy.bounds.for_programme(funding, client_type, currency)
        context = toqio_context("issueCard", self._clock(), command.user_id)
        card_id, token = new_card_id(), new_pan_token()
        expiry = Expiry.years_after(context.at.date(), self._policy.validity_years)

        def build(pan: Pan) -> Card:
            profile = CardProfile(
                card_id=card_id,
                tenant_id=command.tenant_id,
                account_id=command.account_id,
                company_id=_required("companyId", command.company_id),
                user_id=command.user_id,
                form=CardForm.PHYSICAL if command.physical else CardForm.VIRTUAL,
                funding=funding,
                currency=currency,
                last4=pan.last4,
                expiry=expiry,
                pan_ref=token,
                name_on_card=command.name_on_card,
            )
            return Card.issue(
                profile, context, read_only=command.read_only, limits=limits, bounds=bounds
            )

        # Refuse bad input before the vault does any work, with a PAN that is never stored.
        build(generate_pan(self._policy.bin_range, lambda count: "0" * count))
        async with self._units() as work:
            pan, card = await self._credentials.issue_pan(work, command.tenant_id, card_id, build)
            await self._credentials.issue_pin(work, command.tenant_id, card_id)
            code = self._credentials.security_code(card_id)
            await work.cards.add(card)
            issuance = CardIssuance(
                security_code_hash=code.hashed, programme=programme, design=design
            )
            await work.cards.record_issuance(card_id, issuance)
            await work.audit.append(issued_event(card, context))
            await work.commit()
        await self._send(
            ProcessorCardRequest(
                card_id=card_id,
                tenant_id=card.tenant_id,
                account_id=card.profile.account_id,
                form=card.profile.form,
                funding=funding,
                currency=currency,
                expiry=expiry,
                pan=pan,
                security_code=code.code,
                name_on_card=card.profile.name_on_card,
                delivery_name=command.delivery_name,
                delivery_address=command.delivery_address,
                programme=programme,
                design=design,
            )
        )
        async with self._units() as work:
            card, issuance = await load_card(work, command.tenant_id, card_id)
        return CardView(card=card, issuance=issuance)


def issued_event(card: Card, context: ChangeContext, **extra: str) -> AuditEvent:
    """The ``CARD_ISSUED`` audit entry: what was issued, never its PAN, PIN or code."""
    profile = card.profile
    details = {
        "form": profile.form.value,
        "funding": profile.funding.value,
        "currency": profile.currency.code,
        "accountId": profile.account_id,
        "status": card.status.value,
        "last4": profile.last4,
        "expiry": profile.expiry.mm_yy(),
        "reason": context.reason,
        **extra,
    }
    return AuditEvent(
        action=AuditAction.CARD_ISSUED,
        actor=str(context.actor),
        channel=context.channel.value,
        tenant_id=card.tenant_id,
        subject=card.card_id,
        occurred_at=context.at,
        details=details,
    )
