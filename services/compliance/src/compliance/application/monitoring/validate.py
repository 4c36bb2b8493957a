"""ValidateTransaction: Toqio's synchronous ``POST /transaction/validate``.

The answer is one of three statuses and is never APPROVED by default: when the deadline
passes or any dependency fails, the transaction is held (PENDING_EXTERNAL_APPROVAL) for a
reviewer. A transaction id seen before gets the decision stored the first time: the new
verdict is made, refused by the store, and the stored one returned instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

import structlog

from compliance.application.monitoring.engine import UNSUPPORTED_CURRENCY
from compliance.application.monitoring.ports import Assessment, DecisionStore, MonitoringProvider
from compliance.domain.monitoring.decision import Decision, MonitoringStatus, Reason
from compliance.domain.monitoring.transaction import MonitoredTransaction
from shared_kernel.contracts import TransactionDecidedV1
from shared_kernel.domain.errors import DomainError
from shared_kernel.domain.ids import new_id

log = structlog.get_logger(__name__)

FALLBACK = "fallback"
DEADLINE_EXCEEDED = Reason(
    "DEADLINE_EXCEEDED", "The checks did not finish in time; held for a reviewer"
)
DEPENDENCY_FAILED = Reason("DEPENDENCY_UNAVAILABLE", "A check could not run; held for a reviewer")


class ValidateTransaction:
    """Decide a transaction within ``deadline`` seconds, or hold it."""

    def __init__(
        self,
        decisions: DecisionStore,
        monitoring: MonitoringProvider,
        clock: Callable[[], datetime],
        *,
        deadline: float = 0.2,
    ) -> None:
        self._decisions = decisions
        self._monitoring = monitoring
        self._clock = clock
        self._deadline = deadline

    async def __call__(self, tx: MonitoredTransaction) -> Decision:
        """The decision for ``tx``: stored before, freshly made, or a fallback hold.

        Raises:
            InvalidInput: a request the rules cannot read (an amount in a currency no stated
                rate converts); nothing is stored.
        """
        try:
            # Deciding and storing both fit in the deadline: a slow database holds the
            # payment too. No look-up first: a repeat is rare, and storing finds it (``add``
            # refuses a second decision), which keeps a round trip off every first request.
            async with asyncio.timeout(self._deadline):
                decision = self._decision(tx, await self._monitoring.assess(tx))
                return await self._store(decision, tx)
        except TimeoutError:
            fallback = self._fallback(tx, DEADLINE_EXCEEDED)
        except DomainError as error:
            if error.code == UNSUPPORTED_CURRENCY:
                raise
            log.warning("monitoring.dependency_failed", code=error.code, exc_info=True)
            fallback = self._fallback(tx, DEPENDENCY_FAILED)
        except Exception:
            log.warning("monitoring.dependency_failed", exc_info=True)
            fallback = self._fallback(tx, DEPENDENCY_FAILED)
        # A held transaction must reach the review queue, so the fallback is stored even late.
        return await self._store(fallback, tx)

    def _decision(self, tx: MonitoredTransaction, assessment: Assessment) -> Decision:
        return Decision(
            decision_id=new_id(),
            transaction_id=tx.transaction_id,
            customer_id=tx.customer_id,
            client_id=tx.client_id,
            status=assessment.status,
            risk_score=assessment.risk_score,
            reasons=assessment.reasons,
            outcomes=assessment.outcomes,
            decided_at=self._clock(),
            decided_by=assessment.decided_by,
            rule_set_id=assessment.rule_set_id,
            rule_set_version=assessment.rule_set_version,
            sanctions_versions=assessment.sanctions_versions,
            shadow_status=assessment.shadow_status,
            shadow_outcomes=assessment.shadow_outcomes,
            amount_minor=tx.amount.minor,
            currency=tx.amount.currency.code,
        )

    def _fallback(self, tx: MonitoredTransaction, reason: Reason) -> Decision:
        return Decision(
            decision_id=new_id(),
            transaction_id=tx.transaction_id,
            customer_id=tx.customer_id,
            client_id=tx.client_id,
            status=MonitoringStatus.PENDING_EXTERNAL_APPROVAL,
            risk_score=50,
            reasons=(reason,),
            outcomes=(),
            decided_at=self._clock(),
            decided_by=FALLBACK,
            amount_minor=tx.amount.minor,
            currency=tx.amount.currency.code,
        )

    async def _store(self, decision: Decision, tx: MonitoredTransaction) -> Decision:
        event = TransactionDecidedV1(
            customer_id=decision.customer_id,
            transaction_id=decision.transaction_id,
            decision_id=decision.decision_id,
            status=decision.status.value,
            risk_score=decision.risk_score,
            decided_by=decision.decided_by,
        )
        try:
            if await self._decisions.add(decision, tx, announce=event):
                return decision
            stored = await self._decisions.find(tx.customer_id, tx.transaction_id)
            return stored or decision
        except Exception:
            # The database is down: the answer still holds the payment, and Toqio will ask
            # again with the same transaction id once it retries.
            log.error("monitoring.decision_not_stored", transaction_id=tx.transaction_id)
            if decision.status is MonitoringStatus.APPROVED:
                return self._fallback(tx, DEPENDENCY_FAILED)
            return decision
