"""The funds messages an authorization sends accounts_payments: the reservation and its release.

They name the card by id and its last four digits, never by PAN. The authorization id is the
hold's id, so asking twice places one hold and a release finds it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from cards.domain.authorization import Authorization
from cards.domain.limits import SpendKind
from shared_kernel.contracts import FundsReleaseRequestedV1, FundsReservationRequestedV1
from shared_kernel.domain.money import Money


def reservation_request(
    authorization: Authorization, card_last4: str, at: datetime
) -> FundsReservationRequestedV1:
    """Ask for a hold of the authorization's amount on the card's account."""
    merchant = authorization.request.merchant
    return FundsReservationRequestedV1(
        customer_id=authorization.tenant_id or "",
        account_id=authorization.account_id or "",
        card_id=authorization.card_id,
        card_last4=card_last4,
        authorization_id=authorization.authorization_id,
        amount_minor=authorization.amount.minor,
        currency=authorization.amount.currency.code,
        merchant_name=merchant.name,
        merchant_mcc=merchant.mcc,
        merchant_country=merchant.country,
        transaction_type=(
            "ATM_WITHDRAWAL" if authorization.spend_kind is SpendKind.ATM_WITHDRAWAL else "PURCHASE"
        ),
        requested_at=at,
    )


def release_request(
    authorization: Authorization,
    action: Literal["POST", "VOID"],
    amount: Money,
    at: datetime,
) -> FundsReleaseRequestedV1:
    """Post ``amount`` of the authorization's hold, or void it (``amount`` is what it releases)."""
    return FundsReleaseRequestedV1(
        authorization_id=authorization.authorization_id,
        hold_id=authorization.authorization_id,
        action=action,
        amount_minor=amount.minor,
        customer_id=authorization.tenant_id or "",
        account_id=authorization.account_id or "",
        card_id=authorization.card_id,
        currency=amount.currency.code,
        occurred_at=at,
    )
