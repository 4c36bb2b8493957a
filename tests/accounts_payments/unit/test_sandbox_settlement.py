"""The sandbox bank as a PaymentProvider, and the worker that reports its payments' outcomes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from accounts_payments.adapters.persistence.sandbox_tables import sandbox_payments
from accounts_payments.adapters.providers import SandboxBank
from accounts_payments.adapters.providers.sandbox_settlement import SandboxSettlementWorker
from accounts_payments.application.ports.banking_provider import (
    ProviderRejected,
    ProviderUnavailable,
)
from accounts_payments.application.ports.payment_provider import (
    PaymentProvider,
    ProviderPaymentStatus,
    ProviderPaymentUpdate,
)
from building_blocks.persistence import Database
from building_blocks.runtime import Worker
from tests.accounts_payments.sandbox_payment_support import (
    ManualClock,
    RecordingPaymentSink,
    fund,
    instruction,
    open_account,
    sandbox_bank,
)
from tests.accounts_payments.sandbox_support import sandbox_database

pytestmark = pytest.mark.unit

S = ProviderPaymentStatus


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    async with sandbox_database(f"sqlite:///{tmp_path / 'sandbox.db'}") as database:
        yield database


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def bank(database: Database, clock: ManualClock) -> SandboxBank:
    return sandbox_bank(database, clock)


@pytest.fixture
async def payer(bank: SandboxBank) -> str:
    account_id, _ = await open_account(bank, "payer")
    await fund(bank, account_id, 10_000)
    return account_id


async def payment_ids(database: Database) -> list[str]:
    async with database.engine.connect() as connection:
        return list((await connection.execute(sa.select(sandbox_payments.c.id))).scalars())


def test_the_sandbox_bank_is_a_payment_provider(bank: SandboxBank) -> None:
    assert isinstance(bank, PaymentProvider)


async def test_submit_payment_honours_an_armed_fault(bank: SandboxBank, payer: str) -> None:
    bank.arm_fault("submit_payment", "REJECT", reason="AM04", times=1)
    bank.arm_fault("get_account", "UNAVAILABLE")  # other operations' faults do not apply

    with pytest.raises(ProviderRejected) as raised:
        await bank.submit_payment(instruction("pay-1", payer))
    receipt = await bank.submit_payment(instruction("pay-1", payer))

    assert raised.value.code == "AM04"
    assert receipt.status is S.SUBMITTED


async def test_a_timeout_after_the_effect_then_a_retry_returns_the_same_receipt(
    bank: SandboxBank, payer: str, database: Database
) -> None:
    bank.arm_fault("submit_payment", "TIMEOUT", times=1, after_effect=True)

    with pytest.raises(ProviderUnavailable):
        await bank.submit_payment(instruction("pay-1", payer))
    taken = await payment_ids(database)
    retried = await bank.submit_payment(instruction("pay-1", payer))
    updates = await bank.payments.decide_due(everything=True)

    # The bank took the payment although the caller never heard: the retry must not pay twice.
    assert taken == [retried.provider_payment_id]
    assert retried.status is S.SUBMITTED
    assert [(u.provider_payment_id, u.status) for u in updates] == [
        (retried.provider_payment_id, S.ACCEPTED),
        (retried.provider_payment_id, S.SETTLED),
    ]


def test_the_settlement_worker_is_a_runtime_worker(bank: SandboxBank) -> None:
    worker: Worker = SandboxSettlementWorker(bank.payments, RecordingPaymentSink())

    assert callable(worker.run)
    assert callable(worker.stop)


async def test_the_worker_redelivers_in_order_after_the_sink_failed_once(
    bank: SandboxBank, payer: str, clock: ManualClock
) -> None:
    sink = RecordingPaymentSink(failures=1)
    worker = SandboxSettlementWorker(bank.payments, sink)
    first = await bank.submit_payment(instruction("pay-1", payer))
    await bank.submit_payment(instruction("pay-2", payer, 999_999))
    clock.advance(2)

    delivered_first = await worker.settle_now()
    waiting = await bank.payments.unreported()
    delivered_then = await worker.settle_now()

    # pay-1's ACCEPTED failed, so its SETTLED waited; pay-2 was not held up by it.
    assert delivered_first == 1
    assert [(u.reference, u.status) for u in waiting] == [
        ("pay-1", S.ACCEPTED),
        ("pay-1", S.SETTLED),
    ]
    assert delivered_then == 2
    assert sink.statuses() == [
        ("pay-2", S.REJECTED),
        ("pay-1", S.ACCEPTED),
        ("pay-1", S.SETTLED),
    ]
    assert await bank.payments.unreported() == []
    stored = await bank.payments.get(first.provider_payment_id)
    assert stored is not None
    assert stored["reported_status"] == S.SETTLED


async def test_the_worker_settles_due_payments_until_stopped(
    bank: SandboxBank, payer: str, clock: ManualClock
) -> None:
    sink = RecordingPaymentSink()
    worker = SandboxSettlementWorker(bank.payments, sink, poll_interval=0.01)
    await bank.submit_payment(instruction("pay-1", payer))
    task = asyncio.create_task(worker.run())
    await asyncio.sleep(0.05)
    not_yet = list(sink.updates)

    clock.advance(2)
    worker.wake()
    await sink.wait_for(2)
    worker.stop()
    await asyncio.wait_for(task, 5)

    assert not_yet == []
    assert sink.statuses() == [("pay-1", S.ACCEPTED), ("pay-1", S.SETTLED)]


async def test_the_worker_keeps_running_when_a_round_fails(
    bank: SandboxBank, payer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sink = RecordingPaymentSink()
    worker = SandboxSettlementWorker(bank.payments, sink, poll_interval=0.01)
    calls = 0
    unreported = bank.payments.unreported

    async def flaky() -> list[ProviderPaymentUpdate]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("the sandbox database is down")
        return await unreported()

    monkeypatch.setattr(bank.payments, "unreported", flaky)
    await bank.submit_payment(instruction("pay-1", payer))
    bank.payments.arm_outcome("REJECT", reason_code="AG01")
    task = asyncio.create_task(worker.run())
    await bank.payments.decide_due(everything=True)
    await sink.wait_for(1)
    worker.stop()
    await asyncio.wait_for(task, 5)

    assert calls > 1
    assert [(u.status, u.reason_code) for u in sink.updates] == [(S.REJECTED, "AG01")]
