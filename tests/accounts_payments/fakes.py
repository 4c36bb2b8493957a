"""In-memory fakes for the accounts_payments unit tests: providers, FX rates, units of work.

``FakeBank`` is the only fake ``BankingProvider``: it opens ES accounts, can be told to fail, and
its name, capabilities and availability are set by the test. The account fakes are a unit of work
over dicts with an in-memory ledger, which the beneficiary and payment fakes extend; the customer
fakes keep customers and products in dicts. ``FakePaymentProvider`` executes payments once per
reference and ``FixedFxRates`` quotes from a table.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, Self

from accounts_payments.adapters.persistence.in_memory_ledger import InMemoryLedger
from accounts_payments.adapters.persistence.transactions import ConcurrentUpdate
from accounts_payments.application.accounts.ports import AccountRepository
from accounts_payments.application.beneficiaries.ports import BeneficiaryRepository
from accounts_payments.application.payments.fx import FxRates
from accounts_payments.application.payments.ports import PaymentRepository, PaymentsWork
from accounts_payments.application.ports.banking_provider import (
    BankingProvider,
    MerchantProfile,
    ProviderAccount,
    ProviderAccountStatus,
    ProviderCapabilities,
    ProviderRejected,
    ProviderUnavailable,
)
from accounts_payments.application.ports.customers import CustomerDirectory, CustomerView
from accounts_payments.application.ports.ledger import Ledger
from accounts_payments.application.ports.payment_provider import (
    PaymentInstruction,
    PaymentProvider,
    ProviderPaymentReceipt,
    ProviderPaymentStatus,
    ProviderPaymentUpdate,
)
from accounts_payments.domain.accounts import Account
from accounts_payments.domain.beneficiaries import Beneficiary
from accounts_payments.domain.clients import Merchant
from accounts_payments.domain.customers import Customer
from accounts_payments.domain.otp import OtpChallenge
from accounts_payments.domain.payments.lifecycle import PaymentState
from accounts_payments.domain.payments.payment import Payment, PaymentTransition
from accounts_payments.domain.products import CustomerProduct, PartnerProduct
from accounts_payments.domain.transactions import BookedTransaction
from shared_kernel.contracts import IntegrationMessage
from shared_kernel.domain.iban import generate_iban
from shared_kernel.domain.money import Currency

ALL_CAPABILITIES = ProviderCapabilities(
    multi_currency=True,
    uk_accounts=True,
    sepa_accounts=True,
    statements=True,
    ownership_certificate=True,
    confirmation_of_payee=False,
    fx=False,
    requires_otp_for_statements=True,
)


class FakeBank:
    """A BankingProvider that opens ES accounts; a test sets its capabilities and availability.

    ``fail_open`` makes ``open_account`` raise ``ProviderUnavailable``; ``answers`` is what
    ``ping`` returns (or raises, when it is an exception).
    """

    def __init__(
        self,
        *,
        name: str = "fakebank",
        capabilities: ProviderCapabilities = ALL_CAPABILITIES,
        answers: bool | Exception = True,
    ) -> None:
        self.name = name
        self.capabilities = capabilities
        self.answers = answers
        self.merchants: dict[tuple[str, str], str] = {}
        self.accounts: dict[str, ProviderAccount] = {}
        self.fail_open = False
        self.opened_status = ProviderAccountStatus.ACTIVE

    async def find_merchant(self, customer_id: str, client_id: str) -> str | None:
        return self.merchants.get((customer_id, client_id))

    async def create_merchant(self, customer_id: str, merchant: MerchantProfile) -> str:
        merchant_id = f"m-{len(self.merchants) + 1}"
        self.merchants[(customer_id, merchant.client_id)] = merchant_id
        return merchant_id

    async def open_account(
        self,
        customer_id: str,
        provider_merchant_id: str,
        *,
        currency: str,
        country_code: str,
        product_code: str,
        holder_name: str,
    ) -> ProviderAccount:
        if self.fail_open:
            raise ProviderUnavailable("The bank did not answer in time")
        number = len(self.accounts) + 1
        account = ProviderAccount(
            provider_account_id=f"pa-{number}",
            provider_merchant_id=provider_merchant_id,
            currency=currency,
            country_code=country_code,
            product_code=product_code,
            status=self.opened_status,
            holder_name=holder_name,
            iban=generate_iban("ES", "9000", f"{number:010d}", "0001").value,
            bic="TQSBESM0",
        )
        self.accounts[account.provider_account_id] = account
        return account

    async def get_account(self, provider_account_id: str) -> ProviderAccount:
        return self.accounts[provider_account_id]

    async def set_account_status(
        self, provider_account_id: str, status: ProviderAccountStatus
    ) -> ProviderAccount:
        changed = replace(self.accounts[provider_account_id], status=status)
        self.accounts[provider_account_id] = changed
        return changed

    async def ping(self) -> bool:
        if isinstance(self.answers, Exception):
            raise self.answers
        return self.answers


class CatalogBankingProvider(FakeBank):
    """A provider that publishes its own partner-product catalog."""

    def __init__(self, catalog: Sequence[PartnerProduct], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.catalog = list(catalog)

    async def partner_products(self) -> Sequence[PartnerProduct]:
        return self.catalog


class InMemoryUnitOfWork:
    """The async context manager part of the fake units of work: nothing happens on exit."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


class FakeCustomerDirectory:
    def __init__(self, customers: dict[str, CustomerView]) -> None:
        self.customers = customers

    async def find(self, customer_id: str) -> CustomerView | None:
        return self.customers.get(customer_id)


@dataclass
class FakeStore:
    """What the fake 'database' holds; units of work copy it in and write it back on commit."""

    merchants: dict[tuple[str, str], Merchant] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    transactions: dict[str, BookedTransaction] = field(default_factory=dict)
    otps: dict[str, OtpChallenge] = field(default_factory=dict)
    messages: list[IntegrationMessage] = field(default_factory=list)
    webhooks: list[tuple[str, dict[str, Any], str | None]] = field(default_factory=list)
    customers: dict[str, CustomerView] = field(default_factory=dict)
    ledger: InMemoryLedger = field(default_factory=InMemoryLedger)
    fail_next_commit: bool = False


class FakeAccountRepository:
    def __init__(self, store: FakeStore) -> None:
        self.merchants = dict(store.merchants)
        self.accounts = {k: copy.deepcopy(v) for k, v in store.accounts.items()}
        self.transactions = dict(store.transactions)
        self.otps = {k: copy.deepcopy(v) for k, v in store.otps.items()}

    async def find_merchant(self, customer_id: str, client_id: str) -> Merchant | None:
        return self.merchants.get((customer_id, client_id))

    async def add_merchant(self, merchant: Merchant) -> None:
        self.merchants[(merchant.customer_id, merchant.client_id)] = merchant

    async def add(self, account: Account) -> None:
        self.accounts[account.account_id] = copy.deepcopy(account)

    async def add_if_new_provider_account(self, account: Account) -> bool:
        assert account.bank is not None
        if await self.find_by_provider_account(account.bank.provider_account_id) is not None:
            return False
        self.accounts[account.account_id] = copy.deepcopy(account)
        return True

    async def save(self, account: Account) -> None:
        self.accounts[account.account_id] = copy.deepcopy(account)

    async def get(self, customer_id: str, account_id: str, *, lock: bool = False) -> Account | None:
        account = self.accounts.get(account_id)
        return copy.deepcopy(account) if account and account.customer_id == customer_id else None

    async def find_by_id(self, account_id: str) -> Account | None:
        return copy.deepcopy(self.accounts.get(account_id))

    async def list_for_client(self, customer_id: str, client_id: str) -> list[Account]:
        return [
            copy.deepcopy(a)
            for a in self.accounts.values()
            if a.customer_id == customer_id and a.client_id == client_id
        ]

    async def find_by_iban(self, customer_id: str, iban: str) -> Account | None:
        found = (a for a in self.accounts.values() if a.customer_id == customer_id)
        return next((copy.deepcopy(a) for a in found if a.iban == iban), None)

    async def find_by_provider_account(self, provider_account_id: str) -> Account | None:
        for account in self.accounts.values():
            if account.bank and account.bank.provider_account_id == provider_account_id:
                return copy.deepcopy(account)
        return None

    async def add_transaction(self, transaction: BookedTransaction) -> bool:
        if any(
            t.provider_transaction_id == transaction.provider_transaction_id
            for t in self.transactions.values()
        ):
            return False
        self.transactions[transaction.transaction_id] = transaction
        return True

    async def find_transaction(
        self, customer_id: str, transaction_id: str
    ) -> BookedTransaction | None:
        found = self.transactions.get(transaction_id)
        return found if found and found.customer_id == customer_id else None

    async def find_transaction_by_provider_id(
        self, provider_transaction_id: str
    ) -> BookedTransaction | None:
        for transaction in self.transactions.values():
            if transaction.provider_transaction_id == provider_transaction_id:
                return transaction
        return None

    async def add_otp(self, challenge: OtpChallenge) -> None:
        self.otps[challenge.operation_id] = copy.deepcopy(challenge)

    async def get_otp(self, customer_id: str, operation_id: str) -> OtpChallenge | None:
        found = self.otps.get(operation_id)
        return copy.deepcopy(found) if found and found.customer_id == customer_id else None

    async def save_otp(self, challenge: OtpChallenge) -> None:
        self.otps[challenge.operation_id] = copy.deepcopy(challenge)


class FakeAccountsUnitOfWork(InMemoryUnitOfWork):
    """A unit of work whose repository changes, messages and webhooks land only on commit.

    Repositories are declared with their port types: a Protocol's attributes are invariant, so
    only then does the fake pass where a use case expects its unit of work port.
    """

    ledger: Ledger
    customers: CustomerDirectory
    accounts: AccountRepository

    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.ledger = store.ledger
        self.customers = FakeCustomerDirectory(store.customers)
        self._accounts = self.accounts = FakeAccountRepository(store)
        self._messages: list[IntegrationMessage] = []
        self._webhooks: list[tuple[str, dict[str, Any], str | None]] = []

    async def commit(self) -> None:
        if self._store.fail_next_commit:
            self._store.fail_next_commit = False
            raise RuntimeError("the database went away")
        self._store.merchants = self._accounts.merchants
        self._store.accounts = self._accounts.accounts
        self._store.transactions = self._accounts.transactions
        self._store.otps = self._accounts.otps
        self._store.messages.extend(self._messages)
        self._store.webhooks.extend(self._webhooks)

    def publish(self, message: IntegrationMessage, *, correlation_id: str | None = None) -> None:
        self._messages.append(message)

    async def notify_toqio(
        self,
        webhook_type: str,
        payload: Mapping[str, Any],
        *,
        customer_id: str,
        ordering_key: str | None = None,
        dedupe_key: str | None = None,
    ) -> None:
        self._webhooks.append((webhook_type, dict(payload), ordering_key))


class FakeCustomerRepository:
    """Customers and products in dicts; a unit of work copies them in and back on commit."""

    def __init__(
        self,
        customers: dict[str, Customer] | None = None,
        products: dict[tuple[str, str], CustomerProduct] | None = None,
    ) -> None:
        self.customers = dict(customers or {})
        self.product_rows = dict(products or {})

    async def find(self, customer_id: str) -> CustomerView | None:
        customer = self.customers.get(customer_id)
        if customer is None:
            return None
        return CustomerView(
            customer.customer_id,
            customer.commercial_name,
            customer.provider,
            customer.available_currencies,
        )

    async def get(self, customer_id: str) -> Customer | None:
        return self.customers.get(customer_id)

    async def save(self, customer: Customer) -> None:
        existing = self.customers.get(customer.customer_id)
        if existing is not None:
            customer = dataclasses.replace(customer, registered_at=existing.registered_at)
        self.customers[customer.customer_id] = customer

    async def upsert_products(self, customer_id: str, products: Sequence[CustomerProduct]) -> None:
        for product in products:
            self.product_rows[(customer_id, product.product_id)] = dataclasses.replace(
                product, deleted=False
            )

    async def delete_products(self, customer_id: str, product_ids: Sequence[str]) -> None:
        for product_id in product_ids:
            key = (customer_id, product_id)
            if key in self.product_rows:
                self.product_rows[key] = dataclasses.replace(self.product_rows[key], deleted=True)

    async def products(
        self, customer_id: str, *, include_deleted: bool = False
    ) -> list[CustomerProduct]:
        return [
            product
            for (owner, _), product in sorted(self.product_rows.items())
            if owner == customer_id and (include_deleted or not product.deleted)
        ]


class FakeCustomersUnitOfWork(InMemoryUnitOfWork):
    """Works on a copy of the store's state; only ``commit`` writes it back."""

    def __init__(self, store: FakeCustomerRepository) -> None:
        self._store = store
        self.customer_repository = FakeCustomerRepository()
        self.committed = False

    async def __aenter__(self) -> Self:
        self.customer_repository = FakeCustomerRepository(
            self._store.customers, self._store.product_rows
        )
        return await super().__aenter__()

    async def commit(self) -> None:
        self._store.customers = dict(self.customer_repository.customers)
        self._store.product_rows = dict(self.customer_repository.product_rows)
        self.committed = True


class RecordingOtpSender:
    def __init__(self) -> None:
        self.sent: dict[str, str] = {}

    async def send(self, customer_id: str, operation_id: str, code: str) -> None:
        self.sent[operation_id] = code


def customer(customer_id: str = "cust-1", currencies: tuple[str, ...] = ("EUR",)) -> CustomerView:
    return CustomerView(
        customer_id=customer_id,
        commercial_name="Acme Bank",
        provider="fakebank",
        available_currencies=currencies,
    )


def fixed_clock(moment: datetime = datetime(2030, 1, 1, tzinfo=UTC)) -> Any:
    return lambda: moment


def _is_a_banking_provider(bank: FakeBank) -> BankingProvider:
    """Where mypy checks that the fake keeps up with the port (Litestar checks with isinstance)."""
    return bank


class FakeBeneficiaryRepository:
    def __init__(self, rows: dict[tuple[str, str], Beneficiary]) -> None:
        self.rows = {k: copy.deepcopy(v) for k, v in rows.items()}

    async def add(self, beneficiary: Beneficiary) -> None:
        self.rows[(beneficiary.customer_id, beneficiary.beneficiary_id)] = beneficiary

    async def save(self, beneficiary: Beneficiary) -> None:
        self.rows[(beneficiary.customer_id, beneficiary.beneficiary_id)] = beneficiary

    async def get(
        self, customer_id: str, client_id: str, beneficiary_id: str, *, lock: bool = False
    ) -> Beneficiary | None:
        found = self.rows.get((customer_id, beneficiary_id))
        return found if found is not None and found.client_id == client_id else None


@dataclass
class BeneficiaryStore(FakeStore):
    beneficiaries: dict[tuple[str, str], Beneficiary] = field(default_factory=dict)


class FakeBeneficiariesUnitOfWork(FakeAccountsUnitOfWork):
    beneficiaries: BeneficiaryRepository

    def __init__(self, store: BeneficiaryStore) -> None:
        super().__init__(store)
        self._beneficiaries = self.beneficiaries = FakeBeneficiaryRepository(store.beneficiaries)
        self._beneficiary_store = store

    async def commit(self) -> None:
        await super().commit()
        self._beneficiary_store.beneficiaries = self._beneficiaries.rows


class FakePaymentRepository:
    """Payments as deep copies keyed by id, with the same refusals as the SQL repository.

    ``history`` keeps every transition pulled from the payments added or saved.
    """

    def __init__(
        self,
        payments: Mapping[str, Payment] | None = None,
        history: Mapping[str, list[PaymentTransition]] | None = None,
    ) -> None:
        self.payments = {k: copy.deepcopy(v) for k, v in (payments or {}).items()}
        self.history = {k: list(v) for k, v in (history or {}).items()}

    def _taken(self, payment: Payment) -> bool:
        key, customer_id = payment.idempotency_key, payment.customer_id
        return payment.payment_id in self.payments or any(
            key is not None and p.customer_id == customer_id and p.idempotency_key == key
            for p in self.payments.values()
        )

    async def add(self, payment: Payment) -> bool:
        if self._taken(payment):
            return False
        self.history[payment.payment_id] = payment.pull_transitions()
        stored = copy.deepcopy(payment)
        # The SQL row's last change is its creation when the payment never moved.
        stored.updated_at = stored.updated_at or stored.created_at
        self.payments[payment.payment_id] = stored
        return True

    async def save(self, payment: Payment) -> None:
        stored = self.payments[payment.payment_id]
        moves = payment.pull_transitions()
        if stored.transitions_recorded != payment.transitions_recorded - len(moves):
            raise ConcurrentUpdate(f"payment {payment.payment_id} changed concurrently")
        self.history[payment.payment_id].extend(moves)
        # Only what the lifecycle changes is written back, as the SQL UPDATE does.
        stored.provider_payment_id = payment.provider_payment_id
        stored.state = payment.state
        stored.reason = payment.reason
        stored.transitions_recorded = payment.transitions_recorded
        stored.updated_at = payment.updated_at or payment.created_at

    async def get(self, customer_id: str, payment_id: str, *, lock: bool = False) -> Payment | None:
        found = self.payments.get(payment_id)
        return copy.deepcopy(found) if found and found.customer_id == customer_id else None

    async def find(self, payment_id: str, *, lock: bool = False) -> Payment | None:
        return copy.deepcopy(self.payments.get(payment_id))

    async def find_by_idempotency_key(self, customer_id: str, key: str) -> Payment | None:
        found = (p for p in self.payments.values() if p.customer_id == customer_id)
        return next((copy.deepcopy(p) for p in found if p.idempotency_key == key), None)

    async def awaiting_submission(self, updated_before: datetime, limit: int) -> list[Payment]:
        def changed(p: Payment) -> datetime:
            return p.updated_at or p.created_at

        waiting = [
            p
            for p in self.payments.values()
            if p.state is PaymentState.RESERVED and changed(p) < updated_before
        ]
        waiting.sort(key=lambda p: (changed(p), p.payment_id))
        return [copy.deepcopy(p) for p in waiting[:limit]]


@dataclass
class PaymentStore(BeneficiaryStore):
    payments: dict[str, Payment] = field(default_factory=dict)
    payment_history: dict[str, list[PaymentTransition]] = field(default_factory=dict)


class FakePaymentsUnitOfWork(FakeBeneficiariesUnitOfWork):
    """The beneficiaries fake plus payments; they reach the store only on commit."""

    payments: PaymentRepository

    def __init__(self, store: PaymentStore) -> None:
        super().__init__(store)
        self._payments = self.payments = FakePaymentRepository(
            store.payments, store.payment_history
        )
        self._payment_store = store

    async def commit(self) -> None:
        await super().commit()
        self._payment_store.payments = self._payments.payments
        self._payment_store.payment_history = self._payments.history


def _is_payments_work(work: FakePaymentsUnitOfWork) -> PaymentsWork:
    """Where mypy checks that the payments fake keeps up with its unit of work port."""
    return work


class FakePaymentProvider:
    """A PaymentProvider that executes each ``reference`` once; a test sets how it answers.

    ``instructions`` holds every payment it executed, in order; the same reference again gets
    the first receipt back. ``answer`` is the status of new receipts. ``reject_next`` and
    ``fail_next`` make the next calls raise ``ProviderRejected`` or ``ProviderUnavailable``;
    with ``after_effect`` the provider executes the payment first, then loses the answer.
    """

    def __init__(self, answer: ProviderPaymentStatus = ProviderPaymentStatus.SUBMITTED) -> None:
        self.answer = answer
        self.instructions: list[PaymentInstruction] = []
        self.receipts: dict[str, ProviderPaymentReceipt] = {}
        self._faults: list[tuple[Exception, bool]] = []

    def reject_next(
        self, times: int = 1, *, code: str = "AC06", message: str = "The account is blocked"
    ) -> None:
        """Refuse the next ``times`` submissions with ``code``."""
        self._faults.extend((ProviderRejected(message, code=code), False) for _ in range(times))

    def fail_next(self, times: int = 1, *, after_effect: bool = False) -> None:
        """Raise ``ProviderUnavailable`` for the next ``times`` submissions.

        With ``after_effect`` each of them still executes the payment (the answer is lost).
        """
        self._faults.extend(
            (ProviderUnavailable("The bank did not answer in time"), after_effect)
            for _ in range(times)
        )

    async def submit_payment(self, instruction: PaymentInstruction) -> ProviderPaymentReceipt:
        if self._faults:
            fault, after_effect = self._faults.pop(0)
            if after_effect:
                self._execute(instruction)
            raise fault
        return self._execute(instruction)

    def _execute(self, instruction: PaymentInstruction) -> ProviderPaymentReceipt:
        known = self.receipts.get(instruction.reference)
        if known is not None:
            return known
        receipt = ProviderPaymentReceipt(f"pp-{len(self.receipts) + 1}", self.answer)
        self.instructions.append(instruction)
        self.receipts[instruction.reference] = receipt
        return receipt

    def instruction(self, reference: str) -> PaymentInstruction:
        """The instruction executed for ``reference``."""
        return next(i for i in self.instructions if i.reference == reference)

    def update(
        self,
        reference: str,
        status: ProviderPaymentStatus,
        reason_code: str | None = None,
        *,
        at: datetime = datetime(2030, 1, 1, 12, 0, tzinfo=UTC),
        reason: str | None = None,
    ) -> ProviderPaymentUpdate:
        """The provider's report that the payment ``reference`` reached ``status``."""
        known = self.receipts.get(reference)
        provider_payment_id = known.provider_payment_id if known else f"pp-{reference}"
        return ProviderPaymentUpdate(
            provider_payment_id=provider_payment_id,
            reference=reference,
            status=status,
            occurred_at=at,
            reason_code=reason_code,
            reason=reason,
        )


def _is_a_payment_provider(provider: FakePaymentProvider) -> PaymentProvider:
    """Where mypy checks that the fake keeps up with the port."""
    return provider


class FixedFxRates:
    """FxRates from a table of (sell, buy) currency codes to rates; other pairs are unsupported."""

    def __init__(self, rates: Mapping[tuple[str, str], Decimal]) -> None:
        self.rates = {(sell.upper(), buy.upper()): rate for (sell, buy), rate in rates.items()}

    async def rate(self, sell: Currency, buy: Currency) -> Decimal | None:
        return self.rates.get((sell.code, buy.code))


def _is_fx_rates(rates: FixedFxRates) -> FxRates:
    """Where mypy checks that the fake keeps up with the port."""
    return rates


@dataclass
class RecordingPaymentStore(PaymentStore):
    """A payment store that also keeps each committed webhook's dedupe key.

    ``dedupe_keys[i]`` belongs to ``webhooks[i]`` when only ``RecordingPaymentsUnitOfWork``
    writes to the store.
    """

    dedupe_keys: list[str | None] = field(default_factory=list)


class RecordingPaymentsUnitOfWork(FakePaymentsUnitOfWork):
    """The payments fake, keeping webhook dedupe keys (which the real outbox deduplicates on)."""

    def __init__(self, store: RecordingPaymentStore) -> None:
        super().__init__(store)
        self._recording_store = store
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
        self._recording_store.dedupe_keys.extend(self._dedupe_keys)
