"""The house's internal ledger accounts payments move through: settlement and FX liquidity.

Both kinds are name-based UUIDs per tenant and currency, so every process derives the same
id, and neither has a floor: they are the house's positions, not a merchant's money.
"""

from __future__ import annotations

import uuid

from accounts_payments.application.accounts.common import settlement_account_id
from accounts_payments.application.payments.ports import PaymentsUnitOfWorkFactory
from accounts_payments.domain.ledger import NormalSide
from shared_kernel.domain.errors import Conflict, NotFound

_LIQUIDITY_NAMESPACE = uuid.UUID("0b9f3c52-8d0e-4f6a-b1c7-5e2d9a4f7c31")

__all__ = ["ensure_house_accounts", "liquidity_account_id", "settlement_account_id"]


def liquidity_account_id(customer_id: str, currency: str) -> str:
    """The FX liquidity account of a tenant in ``currency``: one leg of every conversion."""
    return str(uuid.uuid5(_LIQUIDITY_NAMESPACE, f"liquidity:{customer_id}:{currency.upper()}"))


async def ensure_house_accounts(
    uow: PaymentsUnitOfWorkFactory, customer_id: str, currencies: set[str]
) -> None:
    """Open the tenant's settlement and liquidity accounts in ``currencies`` if missing.

    Each opening commits on its own, before the payment's transaction: two payments opening
    the same account concurrently must not make one of them fail.
    """
    for currency in sorted(currencies):
        for account_id, kind in (
            (settlement_account_id(customer_id, currency), "settlement"),
            (liquidity_account_id(customer_id, currency), "fx liquidity"),
        ):
            async with uow() as work:
                try:
                    await work.ledger.balance(account_id)
                    continue
                except NotFound:
                    pass
                try:
                    await work.ledger.open_account(
                        account_id,
                        currency,
                        normal_side=NormalSide.DEBIT,
                        floor_minor=None,
                        name=f"{kind} {customer_id} {currency}",
                    )
                    await work.commit()
                except Conflict:
                    pass  # a concurrent payment opened it first
