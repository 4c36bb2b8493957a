"""What each step of a payment's life does to the ledger.

A payment is one or two legs. A plain payment debits the merchant account and credits the
tenant's settlement account in its currency (money leaving through the provider) or, for an
internal transfer, the payee's connector account. An FX payment's first leg ends in the
source currency's liquidity account; its second leg, posted at settlement, moves the credited
amount out of the target currency's liquidity account. Every journal balances per currency.
The hold (id = payment id) reserves the first leg; a return is a new journal mirroring what
was posted, never an edit.
"""

from __future__ import annotations

from accounts_payments.application.payments.house_accounts import (
    liquidity_account_id,
    settlement_account_id,
)
from accounts_payments.application.ports.ledger import Ledger, NormalSide, Posting
from accounts_payments.domain.payments.payment import Payment

DEBIT, CREDIT = NormalSide.DEBIT, NormalSide.CREDIT


def first_leg_credit(payment: Payment) -> str:
    """The account the hold credits: liquidity (FX), the payee's account, or settlement."""
    if payment.is_fx:
        return liquidity_account_id(payment.customer_id, payment.amount.currency.code)
    if payment.counterparty.account_id is not None:
        return payment.counterparty.account_id
    return settlement_account_id(payment.customer_id, payment.amount.currency.code)


def second_leg_credit(payment: Payment) -> str:
    """Where an FX payment's converted amount goes: the payee's account or settlement."""
    if payment.counterparty.account_id is not None:
        return payment.counterparty.account_id
    return settlement_account_id(payment.customer_id, payment.credited.currency.code)


def _second_leg(payment: Payment, *, reverse: bool = False) -> list[Posting]:
    liquidity = liquidity_account_id(payment.customer_id, payment.credited.currency.code)
    debit, credit = liquidity, second_leg_credit(payment)
    if reverse:
        debit, credit = credit, debit
    return [Posting(debit, DEBIT, payment.credited), Posting(credit, CREDIT, payment.credited)]


def _metadata(payment: Payment, kind: str) -> dict[str, str]:
    return {"kind": kind, "paymentId": payment.payment_id, "scheme": payment.scheme.value}


async def reserve(ledger: Ledger, payment: Payment) -> None:
    """Hold the payment's amount on the source account (``INSUFFICIENT_FUNDS`` if short)."""
    await ledger.reserve(
        payment.hold_id,
        debit_account=payment.source_account_id,
        credit_account=first_leg_credit(payment),
        amount=payment.amount,
        description=f"Payment to {payment.counterparty.name}",
    )


async def settle(ledger: Ledger, payment: Payment) -> None:
    """Post the hold; for FX, record the second leg in the target currency too."""
    await ledger.post_hold(payment.hold_id)
    if payment.is_fx:
        await ledger.record(
            f"{payment.payment_id}:fx",
            _second_leg(payment),
            description=f"FX leg of payment to {payment.counterparty.name}",
            metadata=_metadata(payment, "FX_SECOND_LEG"),
        )


async def release(ledger: Ledger, payment: Payment) -> None:
    """Void the hold: the funds are available again and nothing was booked."""
    await ledger.void_hold(payment.hold_id)


async def reverse(ledger: Ledger, payment: Payment) -> None:
    """Book the return of a settled payment as new journals mirroring the posted ones."""
    if payment.is_fx:
        await ledger.record(
            f"{payment.payment_id}:return-fx",
            _second_leg(payment, reverse=True),
            description=f"Return of FX leg of payment to {payment.counterparty.name}",
            metadata=_metadata(payment, "PAYMENT_RETURN_FX_LEG"),
        )
    await ledger.record(
        f"{payment.payment_id}:return",
        [
            Posting(first_leg_credit(payment), DEBIT, payment.amount),
            Posting(payment.source_account_id, CREDIT, payment.amount),
        ],
        description=f"Return of payment to {payment.counterparty.name}",
        metadata=_metadata(payment, "PAYMENT_RETURN"),
    )
