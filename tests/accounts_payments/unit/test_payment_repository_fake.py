"""The fake payment repository passes the suite the SQL one passes, so use cases can trust it."""

from __future__ import annotations

import pytest

from accounts_payments.domain.payments.payment import PaymentTransition
from tests.accounts_payments.fakes import FakePaymentsUnitOfWork, PaymentStore
from tests.accounts_payments.payment_repository_contract import (
    PaymentRepositoryContract,
    PaymentStorage,
)

pytestmark = pytest.mark.unit


class TestFakePaymentRepository(PaymentRepositoryContract):
    @pytest.fixture
    def storage(self) -> PaymentStorage:
        store = PaymentStore()

        async def history(payment_id: str) -> list[PaymentTransition]:
            return list(store.payment_history.get(payment_id, []))

        return PaymentStorage(units=lambda: FakePaymentsUnitOfWork(store), history=history)
