"""Failure injection in the sandbox bank: timeouts, rejections, outages and their Toqio codes."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from accounts_payments.adapters.providers import (
    REJECTIONS,
    FaultKind,
    SandboxBank,
    SandboxFaults,
    SandboxOperation,
)
from accounts_payments.application.ports.banking_provider import (
    MerchantProfile,
    ProviderAccountStatus,
    ProviderRejected,
    ProviderUnavailable,
)
from building_blocks.persistence import Database
from shared_kernel.domain.errors import InvalidInput
from tests.accounts_payments.sandbox_support import onboarded, sandbox_database

pytestmark = pytest.mark.unit

PROFILE = MerchantProfile(client_id="client-9", legal_name="Acme Ltd", country_code="ES")


@pytest.fixture
async def bank(tmp_path: Path) -> AsyncIterator[SandboxBank]:
    async with sandbox_database(f"sqlite:///{tmp_path / 'sandbox.db'}") as database:
        yield SandboxBank(database)


async def open_es(bank: SandboxBank, merchant_id: str) -> str:
    account = await bank.open_account(
        "cust-1",
        merchant_id,
        currency="EUR",
        country_code="ES",
        product_code="P",
        holder_name="Acme Ltd",
    )
    return account.provider_account_id


async def test_a_timeout_raises_provider_unavailable_with_its_own_code(bank: SandboxBank) -> None:
    bank.arm_fault("ping", "TIMEOUT", times=1)

    with pytest.raises(ProviderUnavailable) as raised:
        await bank.ping()

    assert raised.value.code == "PROVIDER_TIMEOUT"
    assert "did not answer in time" in raised.value.message
    assert await bank.ping() is True  # only the next call was armed


async def test_a_timeout_waits_its_delay_before_failing(bank: SandboxBank) -> None:
    bank.arm_fault("ping", "TIMEOUT", delay_seconds=0.2)
    started = time.monotonic()

    with pytest.raises(ProviderUnavailable):
        await bank.ping()

    assert time.monotonic() - started >= 0.2


async def test_an_outage_fails_every_call_until_cleared(bank: SandboxBank) -> None:
    bank.arm_fault("find_merchant", "UNAVAILABLE")

    for _ in range(3):
        with pytest.raises(ProviderUnavailable) as raised:
            await bank.find_merchant("cust-1", "client-1")
        assert raised.value.code == "PROVIDER_UNAVAILABLE"
    bank.clear_faults("find_merchant")

    assert await bank.find_merchant("cust-1", "client-1") is None


async def test_a_rejection_carries_the_toqio_code_and_a_user_facing_message(
    bank: SandboxBank,
) -> None:
    merchant_id = await onboarded(bank)
    bank.arm_fault("open_account", "REJECT", reason="UNSUPPORTED_COUNTRY_PRODUCT", times=2)

    for _ in range(2):
        with pytest.raises(ProviderRejected) as raised:
            await open_es(bank, merchant_id)
        assert raised.value.code == "INVALID_ACCOUNT_PRODUCT_CODE_COUNTRY"
        assert raised.value.message == REJECTIONS["UNSUPPORTED_COUNTRY_PRODUCT"].message

    assert await open_es(bank, merchant_id)


@pytest.mark.parametrize(
    ("operation", "reason", "code"),
    [
        ("create_merchant", "MERCHANT_REJECTED", "MERCHANT_REJECTED_BY_PROVIDER"),
        ("create_merchant", "INVALID_CLIENT_CONFIGURATION", "INVALID_CLIENT_CONFIGURATION"),
        ("open_account", "ACCOUNT_LIMIT_REACHED", "ACCOUNT_LIMIT_REACHED"),
        ("set_account_status", "ACCOUNT_HAS_FUNDS", "ERROR_CLOSING_ACCOUNT"),
        ("get_account", "ACCOUNT_NOT_FOUND", "INVALID_REMOTE_ACCOUNT_CONFIGURATION"),
    ],
)
async def test_each_operation_can_be_rejected_for_each_reason(
    bank: SandboxBank, operation: str, reason: str, code: str
) -> None:
    merchant_id = await onboarded(bank)
    account_id = await open_es(bank, merchant_id)
    calls: dict[str, Callable[[], Awaitable[object]]] = {
        "create_merchant": lambda: bank.create_merchant("cust-1", PROFILE),
        "open_account": lambda: open_es(bank, merchant_id),
        "set_account_status": lambda: bank.set_account_status(
            account_id, ProviderAccountStatus.CLOSED
        ),
        "get_account": lambda: bank.get_account(account_id),
    }
    bank.arm_fault(operation, "REJECT", reason=reason)

    with pytest.raises(ProviderRejected) as raised:
        await calls[operation]()

    assert raised.value.code == code
    assert raised.value.message


async def test_a_rejected_merchant_is_not_onboarded(bank: SandboxBank) -> None:
    bank.arm_fault("create_merchant", "REJECT", reason="MERCHANT_REJECTED", times=1)

    with pytest.raises(ProviderRejected):
        await bank.create_merchant("cust-1", PROFILE)

    assert await bank.find_merchant("cust-1", PROFILE.client_id) is None


async def test_a_timeout_after_the_effect_leaves_the_merchant_onboarded(
    bank: SandboxBank,
) -> None:
    bank.arm_fault("create_merchant", "TIMEOUT", times=1, after_effect=True)

    with pytest.raises(ProviderUnavailable):
        await bank.create_merchant("cust-1", PROFILE)

    # The caller never heard back, yet the bank did the work: a retry must find it.
    assert await bank.find_merchant("cust-1", PROFILE.client_id) is not None


async def test_a_timeout_before_the_effect_changes_nothing(bank: SandboxBank) -> None:
    account_id = await open_es(bank, await onboarded(bank))
    bank.arm_fault("set_account_status", "TIMEOUT", times=1)

    with pytest.raises(ProviderUnavailable):
        await bank.set_account_status(account_id, ProviderAccountStatus.BLOCKED)

    assert (await bank.get_account(account_id)).status is ProviderAccountStatus.ACTIVE


async def test_latency_delays_every_call(tmp_path: Path) -> None:
    async with sandbox_database(f"sqlite:///{tmp_path / 'slow.db'}") as database:
        bank = SandboxBank(database, latency=0.1)
        started = time.monotonic()

        await bank.ping()

    assert time.monotonic() - started >= 0.1


def test_arming_replaces_the_previous_fault_and_describes_what_is_armed() -> None:
    faults = SandboxFaults()

    faults.arm("ping", "UNAVAILABLE")
    faults.arm("ping", "REJECT", reason="ACCOUNT_CLOSED", times=2)
    faults.arm("open_account", "TIMEOUT", after_effect=True)

    assert faults.describe() == {
        "ping": "REJECT ACCOUNT_CLOSED, next 2 calls",
        "open_account": "TIMEOUT, every call, after the effect",
    }
    faults.clear()
    assert faults.describe() == {}


def test_a_fault_counts_down_and_disarms_itself() -> None:
    faults = SandboxFaults()
    faults.arm("ping", "UNAVAILABLE", times=2)

    first = faults.take(SandboxOperation.PING)
    second = faults.take(SandboxOperation.PING)

    assert first is not None
    assert first.kind is FaultKind.UNAVAILABLE
    assert second is not None
    assert faults.take(SandboxOperation.PING) is None


@pytest.mark.parametrize(
    ("operation", "kind", "options"),
    [
        ("transfer_money", "TIMEOUT", {}),
        ("ping", "EXPLODE", {}),
        ("ping", "REJECT", {}),
        ("ping", "REJECT", {"reason": "BECAUSE"}),
        ("ping", "TIMEOUT", {"times": 0}),
        ("ping", "TIMEOUT", {"delay_seconds": -1.0}),
    ],
)
def test_a_fault_that_makes_no_sense_is_refused(
    operation: str, kind: str, options: dict[str, object]
) -> None:
    faults = SandboxFaults()

    with pytest.raises(InvalidInput) as raised:
        faults.arm(operation, kind, **options)  # type: ignore[arg-type]

    assert raised.value.code == "INVALID_FAULT"
    assert faults.describe() == {}


def test_clearing_an_unknown_operation_is_refused() -> None:
    with pytest.raises(InvalidInput):
        SandboxFaults().clear("transfer_money")


def test_a_reason_is_kept_only_for_rejections() -> None:
    fault = SandboxFaults().arm("ping", "TIMEOUT", reason="ACCOUNT_CLOSED", after_effect=False)

    assert fault.reason is None
    assert fault.describe() == "TIMEOUT, every call"


@pytest.mark.parametrize("reason", sorted(REJECTIONS))
def test_every_rejection_reason_has_a_code_and_a_sentence_for_users(reason: str) -> None:
    rejection = REJECTIONS[reason]

    assert rejection.toqio_code.isupper()
    assert rejection.message[0].isupper()
    assert not rejection.message.endswith(".")


async def test_a_bank_whose_database_is_gone_does_not_answer_a_ping(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'missing' / 'x.db'}", schema="accounts_payments")
    try:
        assert await SandboxBank(database).ping() is False
    finally:
        await database.dispose()
