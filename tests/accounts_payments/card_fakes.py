"""Fakes and builders for the card funds tests: records in the fake store, bus messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from accounts_payments.adapters.persistence.transactions import ConcurrentUpdate
from accounts_payments.application.accounts.book_inbound_transfer import BookInboundTransfer
from accounts_payments.application.accounts.open_account import OpenAccount, OpenAccountCommand
from accounts_payments.application.cards.authorizations import CardAuthorization, CardFundsStatus
from accounts_payments.application.cards.ports import CardAuthorizationRepository, CardFundsWork
from accounts_payments.application.cards.reserve import ReserveCardFunds
from accounts_payments.application.cards.settle import SettleCardFunds
from accounts_payments.application.ports.inbound_transfers import InboundTransfer
from accounts_payments.domain.accounts import PostalAddress
from shared_kernel.contracts import (
    FundsReleaseRequestedV1,
    FundsReservationAnsweredV1,
    FundsReservationRequestedV1,
)
from shared_kernel.domain.money import Money
from tests.accounts_payments.fakes import FakeAccountsUnitOfWork, FakeBank, FakeStore, fixed_clock

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
AUTH = "auth-1"
CUSTOMER = "cust-1"


class FakeCardAuthorizationRepository:
    """Records by authorization id, refusing what the SQL repository refuses."""

    def __init__(self, rows: Mapping[str, CardAuthorization]) -> None:
        self.rows = dict(rows)

    async def get(self, authorization_id: str, *, lock: bool = False) -> CardAuthorization | None:
        return self.rows.get(authorization_id)

    async def add(self, authorization: CardAuthorization) -> bool:
        if authorization.authorization_id in self.rows:
            return False
        self.rows[authorization.authorization_id] = authorization
        return True

    async def save(self, authorization: CardAuthorization) -> None:
        stored = self.rows[authorization.authorization_id]
        if stored.status is not CardFundsStatus.RESERVED:
            raise ConcurrentUpdate(f"{authorization.authorization_id} was settled concurrently")
        self.rows[authorization.authorization_id] = authorization


@dataclass
class CardFundsStore(FakeStore):
    """The fake store plus card authorization records and each webhook's dedupe key."""

    card_authorizations: dict[str, CardAuthorization] = field(default_factory=dict)
    dedupe_keys: list[str | None] = field(default_factory=list)

    def webhooks_of(self, webhook_type: str) -> list[dict[str, Any]]:
        """The committed bodies of ``webhook_type``, in the order they were queued."""
        return [body for kind, body, _ in self.webhooks if kind == webhook_type]


class FakeCardFundsUnitOfWork(FakeAccountsUnitOfWork):
    """The accounts fake plus card authorization records; they reach the store on commit."""

    card_authorizations: CardAuthorizationRepository

    def __init__(self, store: CardFundsStore) -> None:
        super().__init__(store)
        self._records = FakeCardAuthorizationRepository(store.card_authorizations)
        self.card_authorizations = self._records
        self._card_store = store
        self._dedupe_keys: list[str | None] = []

    async def notify_toqio(
        self,
        webhook_type: str,
        payload: Mapping[str, Any],
        *,
        customer_id: str,
        ordering_key: str | None = None,
        dedupe_key: str | None = None,
    ) -> None:
        await super().notify_toqio(
            webhook_type,
            payload,
            customer_id=customer_id,
            ordering_key=ordering_key,
            dedupe_key=dedupe_key,
        )
        self._dedupe_keys.append(dedupe_key)

    async def commit(self) -> None:
        await super().commit()
        self._card_store.card_authorizations = self._records.rows
        self._card_store.dedupe_keys.extend(self._dedupe_keys)


def _is_card_funds_work(work: FakeCardFundsUnitOfWork) -> CardFundsWork:
    """Where mypy checks that the fake keeps up with its unit of work port."""
    return work


def reserve(store: CardFundsStore) -> ReserveCardFunds:
    """ReserveCardFunds on the fake store, at ``NOW``."""
    return ReserveCardFunds(lambda: FakeCardFundsUnitOfWork(store), fixed_clock(NOW))


def settle(store: CardFundsStore) -> SettleCardFunds:
    """SettleCardFunds on the fake store, at ``NOW``."""
    return SettleCardFunds(lambda: FakeCardFundsUnitOfWork(store), fixed_clock(NOW))


async def open_funded_account(
    store: CardFundsStore, funds: str = "100.00", currency: str = "eur"
) -> str:
    """Open an active account of ``CUSTOMER`` and top it up; forget what that announced."""
    opened = await OpenAccount(lambda: FakeAccountsUnitOfWork(store), FakeBank())(
        OpenAccountCommand(
            customer_id=CUSTOMER,
            client_id="cl-1",
            name="Acme Ltd",
            asset_type=currency,
            country_code="es",
            partner_product="Banking-EU-1",
            alias="Main",
            address=PostalAddress(address="1 Main St", city="Madrid", postal_code="28001"),
        )
    )
    account = opened.account
    assert account.bank is not None
    await BookInboundTransfer(lambda: FakeAccountsUnitOfWork(store))(
        InboundTransfer(
            provider_transaction_id=f"ptx-{account.account_id}",
            provider_account_id=account.bank.provider_account_id,
            amount=Money.from_decimal(funds, account.currency),
            debtor_name="Top Up",
            debtor_iban="DE89370400440532013000",
            reference="top up",
            received_at=NOW,
        )
    )
    store.webhooks.clear()
    store.messages.clear()
    store.dedupe_keys.clear()
    return account.account_id


def reservation_request(account_id: str, **overrides: Any) -> FundsReservationRequestedV1:
    """cards asking 25.00 EUR at a coffee shop under ``AUTH``, unless overridden."""
    values: dict[str, Any] = {
        "customer_id": CUSTOMER,
        "account_id": account_id,
        "card_id": "card-1",
        "card_last4": "4242",
        "authorization_id": AUTH,
        "amount_minor": 2500,
        "currency": "EUR",
        "merchant_name": "Coffee Corner",
        "merchant_mcc": "5814",
        "merchant_country": "ES",
        "requested_at": NOW,
    }
    values.update(overrides)
    return FundsReservationRequestedV1(**values)


def release_request(
    action: str, amount_minor: int = 2500, **overrides: Any
) -> FundsReleaseRequestedV1:
    """cards posting or voiding ``AUTH``'s hold, unless overridden."""
    values: dict[str, Any] = {
        "authorization_id": AUTH,
        "hold_id": AUTH,
        "action": action,
        "amount_minor": amount_minor,
        "customer_id": CUSTOMER,
        "currency": "EUR",
    }
    values.update(overrides)
    if "authorization_id" in overrides and "hold_id" not in overrides:
        values["hold_id"] = overrides["authorization_id"]
    return FundsReleaseRequestedV1(**values)


def approved(authorization_id: str = AUTH) -> FundsReservationAnsweredV1:
    return FundsReservationAnsweredV1(
        authorization_id=authorization_id, approved=True, hold_id=authorization_id
    )


def refused(reason: str, authorization_id: str = AUTH) -> FundsReservationAnsweredV1:
    return FundsReservationAnsweredV1(
        authorization_id=authorization_id, approved=False, reason=reason
    )
