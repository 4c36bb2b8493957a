"""Handing a reserved payment to the provider, now or again later, until it has it.

The provider is called outside any database transaction. Its answer is recorded in a new
one that locks the payment, so a provider report that overtook the answer is not undone.
When the provider does not answer, the payment stays RESERVED with its funds held and
:class:`SubmitReservedPayments` submits it again: the payment id is the provider's idempotency
key, so a submission whose answer was lost is found, not executed twice.
"""

from __future__ import annotations

from datetime import timedelta

import structlog

from accounts_payments.application.accounts.ports import Clock
from accounts_payments.application.payments import ledger_moves
from accounts_payments.application.payments.announcements import announce
from accounts_payments.application.payments.ports import PaymentsUnitOfWorkFactory
from accounts_payments.application.payments.views import require_payment
from accounts_payments.application.ports.banking_provider import ProviderRejected
from accounts_payments.application.ports.payment_provider import (
    PaymentInstruction,
    PaymentProvider,
    ProviderPaymentStatus,
)
from accounts_payments.domain.payments.lifecycle import PaymentState
from accounts_payments.domain.payments.payment import Payment
from accounts_payments.domain.payments.reasons import ReasonCode

log = structlog.get_logger(__name__)


def _instruction(
    payment: Payment, provider_account_id: str, payee_provider_account_id: str | None
) -> PaymentInstruction:
    party = payment.counterparty
    return PaymentInstruction(
        reference=payment.payment_id,
        customer_id=payment.customer_id,
        provider_account_id=provider_account_id,
        amount=payment.amount,
        credited=payment.credited,
        scheme=payment.scheme.value,
        creditor_name=party.name,
        creditor_country=party.country,
        creditor_iban=party.iban,
        creditor_bic=party.bic,
        creditor_uk_sort_code=party.uk_sort_code,
        creditor_uk_account_number=party.uk_account_number,
        creditor_account_number=party.account_number,
        creditor_provider_account_id=payee_provider_account_id,
        remittance=payment.concept,
        end_to_end_reference=payment.reference,
        purpose_code=payment.purpose_code,
        fx_rate=payment.fx.rate if payment.fx else None,
        payer=dict(payment.payer or {}),
    )


class SubmitPayment:
    """Submit one RESERVED payment and record the provider's answer."""

    def __init__(
        self, uow: PaymentsUnitOfWorkFactory, provider: PaymentProvider, clock: Clock
    ) -> None:
        self._uow = uow
        self._provider = provider
        self._clock = clock

    async def __call__(self, customer_id: str, payment_id: str) -> None:
        """Submit if still RESERVED; a provider that fails leaves it RESERVED, to retry."""
        async with self._uow() as uow:
            payment = await require_payment(uow, customer_id, payment_id)
            if payment.state is not PaymentState.RESERVED:
                return
            source = await uow.accounts.get(customer_id, payment.source_account_id)
            payee_id = payment.counterparty.account_id
            payee = await uow.accounts.get(customer_id, payee_id) if payee_id else None
        if source is None or source.bank is None:  # pragma: no cover - checked at creation
            return
        instruction = _instruction(
            payment,
            source.bank.provider_account_id,
            payee.bank.provider_account_id if payee and payee.bank else None,
        )
        try:
            receipt = await self._provider.submit_payment(instruction)
        except ProviderRejected as error:
            await self._record(customer_id, payment_id, rejected=ReasonCode.of(error.code))
            return
        except Exception:
            # Whatever went wrong, the outcome is unknown: keep the funds held and retry.
            log.warning("payment.submission_failed", payment_id=payment_id, exc_info=True)
            return
        await self._record(
            customer_id,
            payment_id,
            provider_payment_id=receipt.provider_payment_id,
            accepted=receipt.status is ProviderPaymentStatus.ACCEPTED,
        )

    async def _record(
        self,
        customer_id: str,
        payment_id: str,
        *,
        provider_payment_id: str | None = None,
        accepted: bool = False,
        rejected: ReasonCode | None = None,
    ) -> None:
        async with self._uow() as uow:
            payment = await require_payment(uow, customer_id, payment_id, lock=True)
            now = self._clock()
            if rejected is not None:
                if payment.move_to(PaymentState.REJECTED, at=now, reason=rejected):
                    await ledger_moves.release(uow.ledger, payment)
            elif provider_payment_id is not None:
                payment.submitted(provider_payment_id, at=now)
                if accepted:
                    payment.move_to(PaymentState.ACCEPTED, at=now)
            moves = list(payment.new_transitions)
            await uow.payments.save(payment)
            await announce(uow, payment, moves)
            await uow.commit()


class SubmitReservedPayments:
    """Resubmit payments left RESERVED (no answer, a crash) for longer than ``grace``."""

    def __init__(
        self,
        uow: PaymentsUnitOfWorkFactory,
        submit: SubmitPayment,
        clock: Clock,
        *,
        grace: timedelta = timedelta(seconds=10),
        batch: int = 50,
    ) -> None:
        self._uow = uow
        self._submit = submit
        self._clock = clock
        self._grace = grace
        self._batch = batch

    async def __call__(self) -> int:
        """Submit one batch; returns how many payments were tried."""
        async with self._uow() as uow:
            due = await uow.payments.awaiting_submission(self._clock() - self._grace, self._batch)
        for payment in due:
            await self._submit(payment.customer_id, payment.payment_id)
        return len(due)
