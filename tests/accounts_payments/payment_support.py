"""A payment world for the use-case tests: one client's accounts, beneficiaries, the use cases.

Customer ``cust-1`` (EUR, GBP, USD) has client ``cl-1`` with active EUR (ES) and GBP (GB)
accounts at the provider, a second EUR account, closed, suspended and read-only accounts, and
beneficiaries in Germany, the UK and the US, one with a name outside SEPA's character set, one
whose IBAN is the second EUR account's and a deleted one. Ledger accounts are opened as
``OpenAccount`` opens them and funded from the settlement accounts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from accounts_payments.application.accounts.common import settlement_account_id
from accounts_payments.application.payments.house_accounts import liquidity_account_id
from accounts_payments.application.payments.outcomes import ApplyProviderPaymentUpdate
from accounts_payments.application.payments.queries import GetDynamicButton, GetTransactionStatus
from accounts_payments.application.payments.save_transfer import (
    SaveTransfer,
    SaveTransferCommand,
)
from accounts_payments.application.payments.submission import (
    SubmitPayment,
    SubmitReservedPayments,
)
from accounts_payments.application.payments.views import PaymentView
from accounts_payments.application.ports.ledger import NormalSide, Posting
from accounts_payments.application.ports.payment_provider import ProviderPaymentStatus
from accounts_payments.domain.accounts import Account, AccountStatus, BankDetails, PostalAddress
from accounts_payments.domain.beneficiaries import (
    BankAccountDetails,
    Beneficiary,
    BeneficiaryProfile,
    BeneficiaryType,
)
from accounts_payments.domain.clients import Merchant
from accounts_payments.domain.payments.payment import Payment
from shared_kernel.contracts import IntegrationMessage
from shared_kernel.domain.iban import generate_iban
from shared_kernel.domain.money import Money
from tests.accounts_payments.fakes import (
    FakePaymentProvider,
    FixedFxRates,
    RecordingPaymentStore,
    RecordingPaymentsUnitOfWork,
    customer,
)

T0 = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
CUSTOMER, CLIENT = "cust-1", "cl-1"
EUR_ACCOUNT, GBP_ACCOUNT, EUR_ACCOUNT_2 = "acc-eur", "acc-gbp", "acc-eur-2"
CLOSED_ACCOUNT, SUSPENDED_ACCOUNT, READ_ONLY_ACCOUNT = "acc-closed", "acc-suspended", "acc-ro"
OTHER_CLIENT_ACCOUNT = "acc-other-client"  # an account of client cl-2 of the same customer
GERMAN, BRITISH, AMERICAN = "ben-de", "ben-uk", "ben-us"
NON_EPC_NAME, OURS_BY_IBAN, DELETED = "ben-zoe", "ben-ours", "ben-deleted"
GERMAN_IBAN = "DE89370400440532013000"
EUR_2_IBAN = generate_iban("ES", "9000", "0000000002", "0001").value
RATES = {("EUR", "GBP"): Decimal("0.85"), ("GBP", "EUR"): Decimal("1.176470")}
FUNDS = {  # what the accounts hold to begin with
    EUR_ACCOUNT: "1000.00", GBP_ACCOUNT: "500.00", SUSPENDED_ACCOUNT: "100.00",
    READ_ONLY_ACCOUNT: "200.00", OTHER_CLIENT_ACCOUNT: "50.00",
}  # fmt: skip
SYNC_TRANSACTION_STATUS = "SYNC_TRANSACTION_STATUS"


class ManualClock:
    """A clock that only moves when told to."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += timedelta(seconds=seconds)


def _account(
    account_id: str, number: int, currency: str = "EUR", *, client_id: str = CLIENT, **kw: Any
) -> Account:
    provider_account_id = f"pa-{account_id}"
    if currency == "GBP":
        iban = generate_iban("GB", "TQSB", f"{number:08d}", "400000").value
        bank = BankDetails(provider_account_id, iban, "TQSBGB2L", f"{number:08d}", "400000")
    else:
        iban = generate_iban("ES", "9000", f"{number:010d}", "0001").value
        bank = BankDetails(provider_account_id, iban, "TQSBESM0")
    return Account(
        account_id=account_id, customer_id=CUSTOMER, client_id=client_id, currency=currency,
        country_code=iban[:2], partner_product="BUSINESS_CURRENT",
        holder_name=f"Acme {account_id}", alias="", address=PostalAddress(),
        provider_merchant_id="m-1", bank=bank, created_at=T0,
        **{"status": AccountStatus.ACTIVE, **kw},
    )  # fmt: skip


ACCOUNTS = (
    _account(EUR_ACCOUNT, 1),
    _account(EUR_ACCOUNT_2, 2),
    _account(GBP_ACCOUNT, 3, "GBP"),
    _account(CLOSED_ACCOUNT, 4, status=AccountStatus.CLOSED),
    _account(SUSPENDED_ACCOUNT, 5, status=AccountStatus.SUSPENDED),
    _account(READ_ONLY_ACCOUNT, 6, read_only=True),
    _account(OTHER_CLIENT_ACCOUNT, 7, client_id="cl-2"),
)


def _beneficiary(
    beneficiary_id: str,
    bank: BankAccountDetails,
    country: str,
    asset_type: str = "eur",
    *,
    deleted: bool = False,
    **profile: Any,
) -> Beneficiary:
    return Beneficiary(
        beneficiary_id=beneficiary_id,
        customer_id=CUSTOMER,
        client_id=CLIENT,
        asset_type=asset_type,
        bank_country=country,
        bank=bank,
        profile=BeneficiaryProfile(type=BeneficiaryType.PERSON, **profile),
        deleted=deleted,
        created_at=T0,
        updated_at=T0,
    )


BENEFICIARIES = (
    _beneficiary(GERMAN, BankAccountDetails(iban=GERMAN_IBAN), "DE", name="Jane Doe"),
    _beneficiary(BRITISH, BankAccountDetails(uk_sort_code="040004", uk_account_number="12345678"),
                 "GB", "gbp", name="Globex Ltd"),
    _beneficiary(AMERICAN, BankAccountDetails(account_number="123456789"), "US", "usd",
                 name="Initech Inc"),
    _beneficiary(NON_EPC_NAME, BankAccountDetails(iban="FR1420041010050500013M02606"), "FR",
                 first_name="Zoë", last_name="Müller"),
    _beneficiary(OURS_BY_IBAN, BankAccountDetails(iban=EUR_2_IBAN), "ES", name="Acme Savings"),
    _beneficiary(DELETED, BankAccountDetails(iban=GERMAN_IBAN), "DE", deleted=True,
                 name="Gone Away"),
)  # fmt: skip


def transfer(**overrides: Any) -> SaveTransferCommand:
    """A request for 100.00 EUR from the EUR account to the German beneficiary."""
    values: dict[str, Any] = {
        "customer_id": CUSTOMER, "source_account_id": EUR_ACCOUNT,
        "beneficiary_account_id": GERMAN, "amount": Decimal("100.00"), "currency": "EUR",
        "concept": "Invoice 42",
    }  # fmt: skip
    return SaveTransferCommand(**{**values, **overrides})


def eur(amount: str) -> Money:
    return Money.from_decimal(amount, "EUR")


def gbp(amount: str) -> Money:
    return Money.from_decimal(amount, "GBP")


class PaymentWorld:
    """The store, the fake provider, a manual clock and the payment use cases wired on them."""

    def __init__(self) -> None:
        self.store = RecordingPaymentStore(
            customers={CUSTOMER: customer(currencies=("EUR", "GBP", "USD"))}
        )
        self.clock = ManualClock()
        self.rates = FixedFxRates(RATES)
        self.use_provider(FakePaymentProvider())
        self.apply_update = ApplyProviderPaymentUpdate(self.uow)
        self.transaction_status = GetTransactionStatus(self.uow)
        self.dynamic_button = GetDynamicButton(self.uow)

    def use_provider(self, provider: FakePaymentProvider) -> None:
        """Wire the submitting use cases to ``provider``."""
        self.provider = provider
        self.submit = SubmitPayment(self.uow, provider, self.clock)
        self.save_transfer = SaveTransfer(self.uow, self.rates, self.submit, self.clock)
        self.submit_reserved = SubmitReservedPayments(self.uow, self.submit, self.clock)

    def uow(self) -> RecordingPaymentsUnitOfWork:
        return RecordingPaymentsUnitOfWork(self.store)

    async def open(
        self,
        accounts: Sequence[Account] = ACCOUNTS,
        beneficiaries: Sequence[Beneficiary] = BENEFICIARIES,
    ) -> PaymentWorld:
        """Store the accounts and beneficiaries, open and fund their ledger accounts."""
        self.store.merchants[(CUSTOMER, CLIENT)] = Merchant(CUSTOMER, CLIENT, "m-1")
        ledger = self.store.ledger
        for currency in ("EUR", "GBP"):
            await ledger.open_account(
                settlement_account_id(CUSTOMER, currency),
                currency,
                normal_side=NormalSide.DEBIT,
                floor_minor=None,
            )
        for account in accounts:
            self.store.accounts[account.account_id] = account
            await ledger.open_account(account.ledger_account_id, account.currency)
            if account.account_id in FUNDS:
                amount = Money.from_decimal(FUNDS[account.account_id], account.currency)
                settlement = settlement_account_id(CUSTOMER, account.currency)
                await ledger.record(
                    f"funding:{account.account_id}",
                    [
                        Posting(settlement, NormalSide.DEBIT, amount),
                        Posting(account.ledger_account_id, NormalSide.CREDIT, amount),
                    ],
                    description="Opening funds",
                )
        for beneficiary in beneficiaries:
            self.store.beneficiaries[(CUSTOMER, beneficiary.beneficiary_id)] = beneficiary
        return self

    async def pay(self, **overrides: Any) -> PaymentView:
        """SaveTransfer with ``transfer(**overrides)``."""
        return await self.save_transfer(transfer(**overrides))

    async def report(
        self, payment_id: str, status: ProviderPaymentStatus, reason_code: str | None = None
    ) -> None:
        """The provider reports ``status`` for the payment."""
        await self.apply_update(self.provider.update(payment_id, status, reason_code))

    def payment(self, payment_id: str) -> Payment:
        """The stored payment."""
        return self.store.payments[payment_id]

    async def total(self, account_id: str) -> Money:
        return (await self.store.ledger.balance(account_id)).total

    async def available(self, account_id: str) -> Money:
        return (await self.store.ledger.balance(account_id)).available

    def webhooks(self, kind: str, transaction_id: str | None = None) -> list[dict[str, Any]]:
        """Bodies of the committed webhooks of ``kind`` (about ``transaction_id`` if given)."""
        return [
            body
            for webhook_type, body, _ in self.store.webhooks
            if webhook_type == kind and transaction_id in (None, body["id"])
        ]

    def sync_statuses(self, payment_id: str) -> list[str]:
        """The statuses SYNC_TRANSACTION_STATUS told Toqio about the payment, in order."""
        return [body["status"] for body in self.webhooks(SYNC_TRANSACTION_STATUS, payment_id)]

    def messages(self, kind: type[IntegrationMessage]) -> list[Any]:
        """The committed integration messages of one type, in order."""
        return [m for m in self.store.messages if isinstance(m, kind)]

    def snapshot(self) -> tuple[Any, ...]:
        """Everything a refused request must leave as it was.

        Ledger accounts count only when they hold something: a request may open the house's
        empty settlement and liquidity accounts before it is refused.
        """
        book = self.store.ledger.book
        counters = {
            account_id: (b.posted_debits, b.posted_credits, b.pending_debits, b.pending_credits)
            for account_id, b in book.accounts.items()
            if b.posted_debits or b.posted_credits or b.pending_debits or b.pending_credits
        }
        payments = {
            p.payment_id: (p.state, p.transitions_recorded) for p in self.store.payments.values()
        }
        return (
            payments,
            counters,
            dict(book.holds),
            tuple(book.journals),
            len(book.entries),
            len(self.store.webhooks),
            len(self.store.messages),
            len(self.provider.instructions),
        )


async def payment_world(*only: str) -> PaymentWorld:
    """A freshly opened and funded world; with ``only`` account and beneficiary ids, a part.

    Every fake unit of work copies the store, so a smaller world makes faster examples.
    """
    if not only:
        return await PaymentWorld().open()
    accounts = [a for a in ACCOUNTS if a.account_id in only]
    beneficiaries = [b for b in BENEFICIARIES if b.beneficiary_id in only]
    return await PaymentWorld().open(accounts, beneficiaries)


def settlement(currency: str) -> str:
    """The tenant's settlement ledger account in ``currency``."""
    return settlement_account_id(CUSTOMER, currency)


def liquidity(currency: str) -> str:
    """The tenant's FX liquidity ledger account in ``currency``."""
    return liquidity_account_id(CUSTOMER, currency)
