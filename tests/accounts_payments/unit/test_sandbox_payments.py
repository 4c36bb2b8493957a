"""The sandbox bank's outbound payments on SQLite: submission, decisions, returns, reporting."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from accounts_payments.adapters.persistence.sandbox_tables import sandbox_transactions
from accounts_payments.adapters.providers import SandboxBank
from accounts_payments.adapters.providers.sandbox_transfers import balance_minor
from accounts_payments.application.ports.banking_provider import (
    ProviderAccountStatus,
    ProviderRejected,
)
from accounts_payments.application.ports.payment_provider import ProviderPaymentStatus
from building_blocks.persistence import Database
from shared_kernel.domain.errors import InvalidInput, NotFound
from tests.accounts_payments.sandbox_payment_support import (
    OTHER_PAYEE_IBAN,
    ManualClock,
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


async def balance(database: Database, provider_account_id: str) -> int:
    async with database.engine.connect() as connection:
        return await balance_minor(connection, provider_account_id)


async def rows_of(database: Database, provider_account_id: str) -> list[sa.Row[tuple[str, ...]]]:
    t = sandbox_transactions.c
    query = (
        sa.select(t.direction, t.amount_minor, t.connector_transaction_id)
        .where(t.account_id == provider_account_id)
        .order_by(t.created_at, t.id)
    )
    async with database.engine.connect() as connection:
        return list(await connection.execute(query))


async def test_submitting_a_reference_again_returns_the_first_receipt(
    bank: SandboxBank, payer: str
) -> None:
    first = await bank.payments.submit(instruction("pay-1", payer))
    again = await bank.payments.submit(instruction("pay-1", payer, 999_999))

    assert again == first
    assert first.status is S.SUBMITTED
    stored = await bank.payments.get(first.provider_payment_id)
    assert stored is not None
    assert (stored["reference"], stored["amount_minor"], stored["status"]) == (
        "pay-1",
        1000,
        S.SUBMITTED,
    )


async def test_a_payment_settles_only_after_the_settlement_delay(
    bank: SandboxBank, payer: str, clock: ManualClock, database: Database
) -> None:
    receipt = await bank.payments.submit(instruction("pay-1", payer, 2500))
    clock.advance(1.9)
    early = await bank.payments.decide_due()
    clock.advance(0.1)

    updates = await bank.payments.decide_due()

    assert early == []
    assert [(u.provider_payment_id, u.reference, u.status) for u in updates] == [
        (receipt.provider_payment_id, "pay-1", S.ACCEPTED),
        (receipt.provider_payment_id, "pay-1", S.SETTLED),
    ]
    assert {u.occurred_at for u in updates} == {clock.now}
    assert await balance(database, payer) == 10_000 - 2500
    assert (await rows_of(database, payer))[-1] == ("OUTBOUND", 2500, "pay-1")
    assert await bank.payments.decide_due() == []  # decided once


async def test_a_payment_the_account_cannot_cover_is_rejected_with_am04(
    bank: SandboxBank, payer: str, clock: ManualClock, database: Database
) -> None:
    await bank.payments.submit(instruction("pay-1", payer, 6000))
    await bank.payments.submit(instruction("pay-2", payer, 6000))

    updates = await bank.payments.decide_due(everything=True)

    assert [(u.reference, u.status, u.reason_code) for u in updates] == [
        ("pay-1", S.ACCEPTED, None),
        ("pay-1", S.SETTLED, None),
        ("pay-2", S.REJECTED, "AM04"),
    ]
    assert await balance(database, payer) == 4000


async def test_a_payment_to_the_iban_of_a_closed_sandbox_account_is_rejected_with_ac04(
    bank: SandboxBank, payer: str, database: Database
) -> None:
    closed_id, closed_iban = await open_account(bank, "gone")
    await bank.set_account_status(closed_id, ProviderAccountStatus.CLOSED)
    await bank.payments.submit(instruction("pay-1", payer, creditor_iban=closed_iban))

    [update] = await bank.payments.decide_due(everything=True)

    assert (update.status, update.reason_code) == (S.REJECTED, "AC04")
    assert await balance(database, payer) == 10_000


async def test_an_armed_rejection_hits_only_payments_to_its_creditor_iban(
    bank: SandboxBank, payer: str
) -> None:
    bank.payments.arm_outcome(
        "REJECT", reason_code="AC01", creditor_iban="FR14 2004 1010 0505 0001 3M02 606"
    )
    await bank.payments.submit(instruction("to-de", payer))
    await bank.payments.submit(instruction("to-fr", payer, creditor_iban=OTHER_PAYEE_IBAN))

    updates = await bank.payments.decide_due(everything=True)

    assert [(u.reference, u.status, u.reason_code) for u in updates] == [
        ("to-de", S.ACCEPTED, None),
        ("to-de", S.SETTLED, None),
        ("to-fr", S.REJECTED, "AC01"),
    ]
    assert bank.payments.armed_outcomes() == []


async def test_an_armed_cancellation_cancels_the_next_payments_only(
    bank: SandboxBank, payer: str
) -> None:
    outcome_id = bank.payments.arm_outcome("CANCEL", times=2)
    armed = bank.payments.armed_outcomes()
    for n in range(3):
        await bank.payments.submit(instruction(f"pay-{n}", payer))

    updates = await bank.payments.decide_due(everything=True)

    assert armed == [
        {
            "id": outcome_id,
            "outcome": "CANCEL",
            "reason_code": "MS03",
            "creditor_iban": None,
            "remaining": 2,
        }
    ]
    assert [(u.reference, u.status) for u in updates] == [
        ("pay-0", S.CANCELLED),
        ("pay-1", S.CANCELLED),
        ("pay-2", S.ACCEPTED),
        ("pay-2", S.SETTLED),
    ]


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"outcome": "EXPLODE"}, "INVALID_OUTCOME"),
        ({"outcome": "REJECT", "reason_code": "bad!"}, "INVALID_OUTCOME"),
        ({"outcome": "REJECT", "times": 0}, "INVALID_OUTCOME"),
        ({"outcome": "REJECT", "creditor_iban": "DE00"}, "INVALID_IBAN"),
    ],
)
def test_an_outcome_that_makes_no_sense_is_refused(
    bank: SandboxBank, options: dict[str, object], code: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        bank.payments.arm_outcome(**options)  # type: ignore[arg-type]

    assert raised.value.code == code
    assert bank.payments.armed_outcomes() == []


async def test_an_internal_transfer_credits_the_payee_without_looking_like_an_inbound_transfer(
    bank: SandboxBank, payer: str, database: Database
) -> None:
    payee_id, _ = await open_account(bank, "payee")
    await bank.confirm_inbound_transfer(
        (await bank.transfers.unconfirmed())[0].provider_transaction_id, "txn-funding"
    )
    await bank.payments.submit(
        instruction("pay-1", payer, 3000, creditor_iban=None, creditor_provider_account_id=payee_id)
    )

    updates = await bank.payments.decide_due(everything=True)

    assert [u.status for u in updates] == [S.ACCEPTED, S.SETTLED]
    assert await balance(database, payer) == 7000
    assert await balance(database, payee_id) == 3000
    assert await rows_of(database, payee_id) == [("INBOUND", 3000, "pay-1")]
    assert await bank.transfers.unconfirmed() == []
    assert (await rows_of(database, payer))[-1] == ("OUTBOUND", 3000, "pay-1")
    # Money that never left the bank cannot come back from another bank.
    with pytest.raises(ProviderRejected) as raised:
        await bank.payments.return_payment(updates[-1].provider_payment_id)
    assert raised.value.code == "PAYMENT_NOT_RETURNABLE"
    assert await balance(database, payee_id) == 3000


async def test_an_internal_transfer_to_a_blocked_account_is_rejected_with_ac04(
    bank: SandboxBank, payer: str
) -> None:
    payee_id, _ = await open_account(bank, "payee")
    await bank.set_account_status(payee_id, ProviderAccountStatus.BLOCKED)
    await bank.payments.submit(
        instruction("pay-1", payer, creditor_iban=None, creditor_provider_account_id=payee_id)
    )

    [update] = await bank.payments.decide_due(everything=True)

    assert (update.status, update.reason_code) == (S.REJECTED, "AC04")


@pytest.mark.parametrize(
    ("status", "currency", "code"),
    [
        (None, "EUR", "INVALID_REMOTE_ACCOUNT_CONFIGURATION"),
        (ProviderAccountStatus.BLOCKED, "EUR", "AC06"),
        (ProviderAccountStatus.CLOSED, "EUR", "AC04"),
        (ProviderAccountStatus.ACTIVE, "GBP", "AM03"),
    ],
)
async def test_the_bank_refuses_a_payment_its_account_cannot_make(
    bank: SandboxBank, status: ProviderAccountStatus | None, currency: str, code: str
) -> None:
    account_id, _ = await open_account(bank, "payer")
    if status is not None and status is not ProviderAccountStatus.ACTIVE:
        await bank.set_account_status(account_id, status)
    debited = account_id if status is not None else "no-such-account"

    with pytest.raises(ProviderRejected) as raised:
        await bank.payments.submit(instruction("pay-1", debited, currency=currency))

    assert raised.value.code == code
    assert raised.value.message
    assert await bank.payments.decide_due(everything=True) == []


async def test_a_settled_payment_can_be_returned_and_the_payer_is_credited_again(
    bank: SandboxBank, payer: str, clock: ManualClock, database: Database
) -> None:
    receipt = await bank.payments.submit(instruction("pay-1", payer, 4000))
    await bank.payments.decide_due(everything=True)
    clock.advance(60)

    update = await bank.payments.return_payment(receipt.provider_payment_id, reason_code="AC01")

    assert (update.reference, update.status, update.reason_code) == ("pay-1", S.RETURNED, "AC01")
    assert update.occurred_at == clock.now
    assert await balance(database, payer) == 10_000
    assert (await rows_of(database, payer))[-1] == ("INBOUND", 4000, "pay-1:return")
    # Only the funding is still waiting for the connector: the return is reported as such.
    assert [transfer.reference for transfer in await bank.transfers.unconfirmed()] == ["funding"]


async def test_only_a_settled_payment_can_be_returned(bank: SandboxBank, payer: str) -> None:
    receipt = await bank.payments.submit(instruction("pay-1", payer))

    with pytest.raises(ProviderRejected) as not_settled:
        await bank.payments.return_payment(receipt.provider_payment_id)
    with pytest.raises(NotFound) as unknown:
        await bank.payments.return_payment("no-such-payment")

    assert not_settled.value.code == "PAYMENT_NOT_RETURNABLE"
    assert unknown.value.code == "PAYMENT_NOT_FOUND"


async def test_unreported_updates_resume_after_the_last_status_the_connector_took(
    bank: SandboxBank, payer: str
) -> None:
    settled = await bank.payments.submit(instruction("pay-1", payer))
    await bank.payments.submit(instruction("pay-2", payer, 999_999))
    await bank.payments.decide_due(everything=True)
    before = await bank.payments.unreported()
    await bank.payments.mark_reported(settled.provider_payment_id, S.ACCEPTED)
    after_accepted = await bank.payments.unreported()
    await bank.payments.mark_reported(settled.provider_payment_id, S.SETTLED)
    await bank.payments.mark_reported(settled.provider_payment_id, S.ACCEPTED)  # late, ignored

    assert [(u.reference, u.status) for u in before] == [
        ("pay-1", S.ACCEPTED),
        ("pay-1", S.SETTLED),
        ("pay-2", S.REJECTED),
    ]
    assert [(u.reference, u.status) for u in after_accepted] == [
        ("pay-1", S.SETTLED),
        ("pay-2", S.REJECTED),
    ]
    assert [(u.reference, u.status) for u in await bank.payments.unreported()] == [
        ("pay-2", S.REJECTED)
    ]
