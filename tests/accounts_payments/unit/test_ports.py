"""The value types at accounts_payments' ports compute what the use cases rely on."""

from __future__ import annotations

import pytest

from accounts_payments.application.ports.banking_provider import (
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
)
from accounts_payments.application.ports.customers import CustomerView
from accounts_payments.application.ports.ledger import LedgerBalance, NormalSide
from accounts_payments.application.ports.unit_of_work import AccountsUnitOfWork
from shared_kernel.domain.money import Money

pytestmark = pytest.mark.unit


def balance(side: NormalSide, **counters: int) -> LedgerBalance:
    values = {"posted_debits": 0, "posted_credits": 0, "pending_debits": 0, "pending_credits": 0}
    values.update(counters)
    return LedgerBalance(
        account_id="acc-1", currency="EUR", normal_side=side, floor_minor=0, version=1, **values
    )


def test_a_credit_normal_balance_is_credits_less_debits_and_holds_reduce_what_is_available() -> (
    None
):
    account = balance(
        NormalSide.CREDIT, posted_credits=10_000, posted_debits=2_500, pending_debits=1_000
    )
    assert account.total == Money.of(7_500, "EUR")
    assert account.available == Money.of(6_500, "EUR")


def test_a_debit_normal_balance_is_debits_less_credits_and_pending_credits_reduce_it() -> None:
    account = balance(
        NormalSide.DEBIT, posted_debits=5_000, posted_credits=1_000, pending_credits=500
    )
    assert account.total == Money.of(4_000, "EUR")
    assert account.available == Money.of(3_500, "EUR")


def test_provider_failures_carry_toqio_codes_and_user_messages() -> None:
    assert ProviderUnavailable("The bank did not answer in time").code == "PROVIDER_UNAVAILABLE"
    rejected = ProviderRejected("Country not offered", code="INVALID_ACCOUNT_PRODUCT_CODE_COUNTRY")
    assert isinstance(rejected, ProviderError)
    assert rejected.code == "INVALID_ACCOUNT_PRODUCT_CODE_COUNTRY"
    assert rejected.message == "Country not offered"


def test_a_customer_view_carries_no_secrets() -> None:
    fields = set(CustomerView.__dataclass_fields__)
    assert fields == {"customer_id", "commercial_name", "provider", "available_currencies"}
    assert "notify_toqio" in dir(AccountsUnitOfWork)
