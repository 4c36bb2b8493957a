"""SaveTransfer: Toqio's ``POST /customers/{customerId}/transactions`` - an outbound payment.

One transaction checks everything, creates the payment and reserves its funds with a ledger
hold, queues the first ``SYNC_TRANSACTION_STATUS`` and the event; only then is the provider
called (never inside a database transaction), and its answer recorded in a second one. A
request carrying an ``Idempotency-Key`` finds the payment it already created and carries on
from where it stood, so a retry after a crash neither pays twice nor holds funds twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from accounts_payments.application.accounts.common import require_account, require_customer
from accounts_payments.application.accounts.ports import Clock
from accounts_payments.application.payments import ledger_moves
from accounts_payments.application.payments.announcements import announce
from accounts_payments.application.payments.fx import FxRates
from accounts_payments.application.payments.house_accounts import ensure_house_accounts
from accounts_payments.application.payments.payees import resolve_payee, schemes_for
from accounts_payments.application.payments.ports import PaymentsUnitOfWorkFactory, PaymentsWork
from accounts_payments.application.payments.submission import SubmitPayment
from accounts_payments.application.payments.terms import TermsRequest, terms_of
from accounts_payments.application.payments.views import PaymentView, view_of_payment
from accounts_payments.domain.accounts import Account, AccountStatus
from accounts_payments.domain.beneficiaries import invalid
from accounts_payments.domain.payments.payment import Counterparty, CounterpartyKind, Payment
from accounts_payments.domain.payments.schemes import PaymentScheme
from accounts_payments.domain.payments.sepa_text import SepaTexts, check_sepa_texts
from shared_kernel.domain.errors import Conflict, RuleViolated
from shared_kernel.domain.ids import new_id

ACCOUNT_NOT_FOUND = "ERROR_ACCOUNT_NOT_FOUND"
TRANSACTION_ALREADY_EXISTS = "TRANSACTION_ALREADY_EXISTS"
_TEXT_MAX = 140


@dataclass(frozen=True, slots=True, kw_only=True)
class SaveTransferCommand:
    """``SaveTransferBaseRequest`` as the use case needs it."""

    customer_id: str
    source_account_id: str
    beneficiary_account_id: str
    amount: Decimal
    currency: str
    concept: str = ""
    reference: str = ""
    fixed_side: str | None = None
    bank_payment_scheme: str | None = None
    asset_type: str | None = None
    purpose_code: str | None = None
    user_id: str | None = None
    company_id: str | None = None
    payer: Mapping[str, str] = field(default_factory=dict)
    transaction_id: str | None = None
    idempotency_key: str | None = None


def _check_source(account: Account) -> None:
    if account.status in (AccountStatus.CLOSED, AccountStatus.FAILED):
        raise RuleViolated(
            f"Account {account.account_id} is {account.status.value.lower()}",
            code="ACCOUNT_CLOSED",
        )
    if account.status is not AccountStatus.ACTIVE or account.bank is None:
        raise RuleViolated(
            f"Account {account.account_id} is {account.status.value.lower()} and cannot pay",
            code="ACCOUNT_NOT_ACTIVE",
        )


def _scheme(payee: Counterparty, requested: str | None) -> PaymentScheme:
    available = schemes_for(payee)
    if not requested:
        return available[0]
    wanted = requested.strip().upper()
    for scheme in available:
        if scheme.value == wanted:
            return scheme
    offered = ", ".join(s.value for s in available)
    raise invalid(
        "bankPaymentScheme",
        f"{wanted} cannot reach this beneficiary; use one of: {offered}",
        code="BANK_PAYMENT_SCHEME_NOT_AVAILABLE",
    )


def _check_texts(command: SaveTransferCommand, payee: Counterparty, scheme: PaymentScheme) -> None:
    for name, text in (("concept", command.concept), ("reference", command.reference)):
        if len(text) > _TEXT_MAX:
            raise invalid(name, f"{name} has {len(text)} characters; at most {_TEXT_MAX}")
    if scheme.is_sepa:
        check_sepa_texts(
            SepaTexts(
                beneficiary_name=payee.name,
                concept=command.concept,
                reference=command.reference,
                beneficiary_field="beneficiary.name",
            )
        )


class SaveTransfer:
    """Create, reserve and submit an outbound payment."""

    def __init__(
        self,
        uow: PaymentsUnitOfWorkFactory,
        rates: FxRates,
        submit: SubmitPayment,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._rates = rates
        self._submit = submit
        self._clock = clock

    async def __call__(self, command: SaveTransferCommand) -> PaymentView:
        """The payment as it stands once the provider answered (or did not).

        Raises:
            InvalidInput: a malformed amount, currency, scheme or text; nothing is stored.
            NotFound: ``CUSTOMER_NOT_FOUND``, ``ERROR_ACCOUNT_NOT_FOUND``,
                ``BENEFICIARY_NOT_FOUND``.
            RuleViolated: ``INSUFFICIENT_FUNDS``, ``ACCOUNT_CLOSED``, ``ACCOUNT_NOT_ACTIVE``.
            Conflict: ``TRANSACTION_ALREADY_EXISTS`` for a transaction id used before.
        """
        payment = await self._existing(command)
        if payment is None:
            payment = await self._create(command)
        await self._submit(payment.customer_id, payment.payment_id)
        async with self._uow() as uow:
            return await view_of_payment(uow, command.customer_id, payment.payment_id)

    async def _existing(self, command: SaveTransferCommand) -> Payment | None:
        async with self._uow() as uow:
            await require_customer(uow, command.customer_id)
            if command.idempotency_key:
                found = await uow.payments.find_by_idempotency_key(
                    command.customer_id, command.idempotency_key
                )
                if found is not None:
                    return found
            if command.transaction_id and ":" in command.transaction_id:
                raise invalid("transactionId", "transactionId may not contain ':'")
            if command.transaction_id and (
                await uow.payments.find(command.transaction_id)
                or await uow.accounts.find_transaction(command.customer_id, command.transaction_id)
            ):
                raise Conflict(
                    f"Transaction {command.transaction_id} already exists",
                    code=TRANSACTION_ALREADY_EXISTS,
                )
        return None

    async def _plan(self, uow: PaymentsWork, command: SaveTransferCommand) -> Payment:
        source = await require_account(
            uow, command.customer_id, command.source_account_id, code=ACCOUNT_NOT_FOUND
        )
        _check_source(source)
        payee = await resolve_payee(uow, source, command.beneficiary_account_id)
        if source.read_only and payee.kind is not CounterpartyKind.OWN_ACCOUNT:
            raise RuleViolated(
                "A read-only account may only pay the merchant's own accounts",
                code="READ_ONLY_ACCOUNT",
            )
        request = TermsRequest(
            amount=command.amount,
            currency=command.currency,
            fixed_side=command.fixed_side,
            asset_type=command.asset_type,
            payer=command.payer,
        )
        terms = await terms_of(request, source, payee, self._rates)
        scheme = _scheme(payee, command.bank_payment_scheme)
        _check_texts(command, payee, scheme)
        return Payment(
            payment_id=command.transaction_id or new_id(),
            customer_id=command.customer_id,
            client_id=source.client_id,
            source_account_id=source.account_id,
            counterparty=payee,
            scheme=scheme,
            amount=terms.debited,
            credited=terms.credited,
            fx=terms.fx,
            created_at=self._clock(),
            concept=command.concept,
            reference=command.reference,
            purpose_code=command.purpose_code,
            user_id=command.user_id,
            company_id=command.company_id,
            payer=terms.payer,
            idempotency_key=command.idempotency_key,
        )

    async def _create(self, command: SaveTransferCommand) -> Payment:
        async with self._uow() as uow:
            planned = await self._plan(uow, command)
        currencies = {planned.amount.currency.code, planned.credited.currency.code}
        await ensure_house_accounts(self._uow, command.customer_id, currencies)
        async with self._uow() as uow:
            # Planned again inside the transaction that commits: the first pass only ran
            # the checks before opening house accounts, and nothing read then may be trusted.
            payment = await self._plan(uow, command)
            payment.created_at = planned.created_at
            payment.reserve(at=payment.created_at)
            await ledger_moves.reserve(uow.ledger, payment)
            moves = list(payment.new_transitions)
            if not await uow.payments.add(payment):
                raise Conflict(
                    f"Transaction {payment.payment_id} already exists",
                    code=TRANSACTION_ALREADY_EXISTS,
                )
            await announce(uow, payment, moves)
            await uow.commit()
        return payment
