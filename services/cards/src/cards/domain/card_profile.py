"""What a card is from issue on: its owner, account, form, funding, currency and PAN reference."""

from __future__ import annotations

from dataclasses import dataclass, field

from cards.domain.card_checks import (
    checked_id,
    checked_last4,
    checked_name_on_card,
    checked_pan_ref,
)
from cards.domain.card_types import CardForm, FundingType
from cards.domain.expiry import Expiry
from cards.domain.lifecycle import CardStatus
from shared_kernel.domain.money import Currency


@dataclass(frozen=True, slots=True, kw_only=True)
class CardProfile:
    """The facts of one card that never change once it is issued (a replacement is a new card).

    ``tenant_id`` is the Toqio customer, ``company_id`` Toqio's client the card is issued
    under, ``user_id`` the cardholder. The card never holds its PAN: ``pan_ref`` names the
    vault entry and ``last4`` is all it shows.

    Raises:
        InvalidInput: ``INVALID_CARD`` naming the Toqio field at fault.
    """

    card_id: str
    tenant_id: str
    account_id: str
    company_id: str
    user_id: str | None = None
    form: CardForm
    funding: FundingType = FundingType.DEBIT
    currency: Currency
    last4: str
    expiry: Expiry
    pan_ref: str = field(repr=False)
    name_on_card: str | None = field(default=None, repr=False)
    replaces_card_id: str | None = None

    def __post_init__(self) -> None:
        checked = {
            "card_id": checked_id("cardId", self.card_id),
            "tenant_id": checked_id("customerId", self.tenant_id),
            "account_id": checked_id("accountId", self.account_id),
            "company_id": checked_id("companyId", self.company_id),
            "user_id": None if self.user_id is None else checked_id("userId", self.user_id),
            "form": CardForm(self.form),
            "funding": FundingType(self.funding),
            "currency": Currency.of(self.currency),
            "last4": checked_last4(self.last4),
            "pan_ref": checked_pan_ref(self.pan_ref),
            "name_on_card": checked_name_on_card(self.name_on_card),
            "replaces_card_id": (
                None
                if self.replaces_card_id is None
                else checked_id("replacesCardId", self.replaces_card_id)
            ),
        }
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    @property
    def initial_status(self) -> CardStatus:
        """Virtual cards are usable at once (as at Stripe and Lithic); plastic waits."""
        if self.form is CardForm.VIRTUAL:
            return CardStatus.ACTIVE
        return CardStatus.PENDING_ACTIVATION
