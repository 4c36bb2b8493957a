"""The sandbox endpoints: inbound transfers reach the connector once; bad input reaches nothing."""

from __future__ import annotations

import typing
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.testing import AsyncTestClient

from accounts_payments.adapters.persistence.sandbox_tables import sandbox_accounts
from accounts_payments.adapters.providers import FaultKind, SandboxBank, SandboxOperation
from accounts_payments.application.ports.banking_provider import ProviderAccountStatus
from accounts_payments.entrypoints.http.app import PROVIDER_ERROR_STATUSES
from accounts_payments.entrypoints.http.sandbox import (
    FaultKindName,
    OperationName,
    sandbox_route_handlers,
)
from building_blocks.persistence import Database
from building_blocks.web import create_app
from tests.accounts_payments.sandbox_support import (
    RecordingAccountSink,
    RecordingSink,
    onboarded,
    sandbox_database,
    transaction_count,
)

pytestmark = pytest.mark.unit

DEBTOR_IBAN = "DE89 3704 0044 0532 0130 00"


@dataclass
class Sandbox:
    client: AsyncTestClient[Any]
    bank: SandboxBank
    database: Database
    sink: RecordingSink
    account_sink: RecordingAccountSink
    accounts: dict[str, str]  # connector account id -> provider account id

    async def open(self, connector_id: str, country: str = "ES", currency: str = "EUR") -> str:
        merchant_id = await onboarded(self.bank, client_id=f"client-{connector_id}")
        account = await self.bank.open_account(
            "cust-1",
            merchant_id,
            currency=currency,
            country_code=country,
            product_code="P",
            holder_name="Acme Ltd",
        )
        self.accounts[connector_id] = account.provider_account_id
        return account.provider_account_id


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with sandbox_database(f"sqlite:///{tmp_path / 'sandbox.db'}") as database:
        bank, sink, account_sink = SandboxBank(database), RecordingSink(), RecordingAccountSink()
        accounts: dict[str, str] = {}

        async def resolve(account_id: str) -> str | None:
            return accounts.get(account_id)

        handlers = sandbox_route_handlers(
            enabled=True, bank=bank, resolve_account=resolve, sink=sink, account_sink=account_sink
        )
        app = create_app(
            service="accounts_payments",
            route_handlers=handlers,
            readiness={},
            error_statuses=PROVIDER_ERROR_STATUSES,
        )
        async with AsyncTestClient(app=app) as client:
            yield Sandbox(client, bank, database, sink, account_sink, accounts)


def transfer(**overrides: Any) -> dict[str, Any]:
    body = {
        "accountId": "acc-1",
        "amount": 125.5,
        "currency": "eur",
        "debtorName": "Jane Payer",
        "debtorIban": DEBTOR_IBAN,
        "reference": "Invoice 42",
    }
    return {**body, **overrides}


async def test_a_valid_transfer_is_recorded_and_handed_to_the_connector_once(
    sandbox: Sandbox,
) -> None:
    provider_account_id = await sandbox.open("acc-1")

    response = await sandbox.client.post("/sandbox/inbound-transfers", json=transfer())

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["code"] == "OK"
    assert body["data"]["transactionId"] == "txn-1"
    assert body["data"]["accountId"] == "acc-1"
    assert body["data"]["currency"] == "EUR"
    [handed] = sandbox.sink.received
    assert handed.provider_transaction_id == body["data"]["providerTransactionId"]
    assert handed.provider_account_id == provider_account_id
    assert (handed.amount.minor, handed.amount.currency.code) == (12550, "EUR")
    assert handed.debtor_iban == "DE89370400440532013000"
    assert (handed.debtor_name, handed.reference) == ("Jane Payer", "Invoice 42")
    assert await sandbox.bank.transfers.unconfirmed() == []


async def test_a_string_amount_and_a_gbp_account_are_accepted(sandbox: Sandbox) -> None:
    await sandbox.open("acc-uk", "GB", "GBP")

    response = await sandbox.client.post(
        "/sandbox/inbound-transfers",
        json=transfer(accountId="acc-uk", amount="10.50", currency="GBP"),
    )

    assert response.status_code == 200, response.text
    assert sandbox.sink.received[0].amount.minor == 1050


BAD_INPUT = [
    (transfer(amount=10.505), 400, "INVALID_AMOUNT"),
    (transfer(amount=0), 400, "INVALID_AMOUNT"),
    (transfer(amount=-5), 400, "INVALID_AMOUNT"),
    (transfer(amount="NaN"), 400, "INVALID_AMOUNT"),
    (transfer(amount="ten"), 400, "INVALID_REQUEST"),
    (transfer(currency="XXX"), 400, "INVALID_CURRENCY"),
    (transfer(currency="gbp"), 400, "CURRENCY_MISMATCH"),
    (transfer(debtorIban="DE88370400440532013000"), 400, "INVALID_IBAN"),
    (transfer(debtorIban="not an iban"), 400, "INVALID_IBAN"),
    (transfer(debtorName=""), 400, "INVALID_REQUEST"),
    (transfer(reference="x" * 141), 400, "INVALID_REQUEST"),
    ({"accountId": "acc-1"}, 400, "INVALID_REQUEST"),
    (transfer(accountId="acc-unknown"), 404, "ACCOUNT_NOT_FOUND"),
    (transfer(accountId="acc-lost"), 404, "ACCOUNT_NOT_FOUND"),
    (transfer(accountId="acc-blocked"), 422, "ACCOUNT_NOT_ACTIVE"),
]


@pytest.mark.parametrize(("body", "status", "code"), BAD_INPUT)
async def test_bad_input_gets_the_error_envelope_and_changes_nothing(
    sandbox: Sandbox, body: dict[str, Any], status: int, code: str
) -> None:
    await sandbox.open("acc-1")
    blocked = await sandbox.open("acc-blocked")
    await sandbox.bank.set_account_status(blocked, ProviderAccountStatus.BLOCKED)
    sandbox.accounts["acc-lost"] = "provider-account-that-does-not-exist"

    response = await sandbox.client.post("/sandbox/inbound-transfers", json=body)

    assert response.status_code == status, response.text
    envelope = response.json()
    assert envelope["code"] == code
    assert envelope["errorSeverity"] == "ERROR"
    assert envelope["httpStatus"] == status
    assert envelope["message"]
    assert sandbox.sink.received == []
    assert await transaction_count(sandbox.database) == 0


async def test_a_sink_failure_leaves_the_transfer_waiting_for_the_connector(
    sandbox: Sandbox,
) -> None:
    await sandbox.open("acc-1")

    async def broken_sink(_transfer: object) -> str:
        raise ConnectionError("ledger down")

    handlers = sandbox_route_handlers(
        enabled=True,
        bank=sandbox.bank,
        resolve_account=lambda account_id: _resolved(sandbox, account_id),
        sink=broken_sink,
        account_sink=RecordingAccountSink(),
    )
    app = create_app(service="accounts_payments", route_handlers=handlers, readiness={})
    async with AsyncTestClient(app=app) as client:
        response = await client.post("/sandbox/inbound-transfers", json=transfer())

    assert response.status_code == 500
    assert "ledger down" not in response.text
    [waiting] = await sandbox.bank.transfers.unconfirmed()
    assert waiting.provider_account_id == sandbox.accounts["acc-1"]


async def _resolved(sandbox: Sandbox, account_id: str) -> str | None:
    return sandbox.accounts.get(account_id)


async def test_faults_can_be_armed_listed_and_cleared(sandbox: Sandbox) -> None:
    armed = await sandbox.client.post(
        "/sandbox/faults",
        json={"operation": "open_account", "kind": "REJECT", "reason": "ACCOUNT_LIMIT_REACHED"},
    )
    await sandbox.client.post(
        "/sandbox/faults", json={"operation": "ping", "kind": "TIMEOUT", "times": 2}
    )
    listed = await sandbox.client.get("/sandbox/faults")
    one_cleared = await sandbox.client.delete("/sandbox/faults", params={"operation": "ping"})
    all_cleared = await sandbox.client.delete("/sandbox/faults")

    assert armed.status_code == 200, armed.text
    assert armed.json()["data"] == {"open_account": "REJECT ACCOUNT_LIMIT_REACHED, every call"}
    assert listed.json()["data"]["ping"] == "TIMEOUT, next 2 calls"
    assert list(one_cleared.json()["data"]) == ["open_account"]
    assert all_cleared.json()["data"] == {}
    assert await sandbox.bank.ping() is True


async def test_an_armed_fault_makes_the_bank_fail(sandbox: Sandbox) -> None:
    await sandbox.client.post("/sandbox/faults", json={"operation": "ping", "kind": "UNAVAILABLE"})

    assert sandbox.bank.armed_faults() == {"ping": "UNAVAILABLE, every call"}


@pytest.mark.parametrize(
    "body",
    [
        {"operation": "ping", "kind": "REJECT"},
        {"operation": "ping", "kind": "REJECT", "reason": "BECAUSE"},
        {"operation": "explode", "kind": "TIMEOUT"},
        {"operation": "ping", "kind": "TIMEOUT", "times": 0},
    ],
)
async def test_a_fault_that_makes_no_sense_gets_the_error_envelope(
    sandbox: Sandbox, body: dict[str, Any]
) -> None:
    response = await sandbox.client.post("/sandbox/faults", json=body)

    assert response.status_code == 400
    assert response.json()["code"] in {"INVALID_FAULT", "INVALID_REQUEST"}
    assert sandbox.bank.armed_faults() == {}


async def test_without_the_sandbox_the_routes_do_not_exist(tmp_path: Path) -> None:
    sink = RecordingSink()

    async def resolve(_account_id: str) -> str | None:
        return None

    disabled = sandbox_route_handlers(
        enabled=False,
        bank=None,
        resolve_account=resolve,
        sink=sink,
        account_sink=RecordingAccountSink(),
    )
    app = create_app(service="accounts_payments", route_handlers=disabled, readiness={})
    async with AsyncTestClient(app=app) as client:
        response = await client.post("/sandbox/inbound-transfers", json=transfer())
        faults = await client.post("/sandbox/faults", json={"operation": "ping", "kind": "REJECT"})

    assert disabled == []
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"
    assert faults.status_code == 404
    assert sink.received == []


def unprompted(**overrides: Any) -> dict[str, Any]:
    body = {
        "customerId": "cust-1",
        "clientId": "client-1",
        "currency": "eur",
        "countryCode": "es",
        "partnerProduct": "Banking-EU-1",
    }
    return {k: v for k, v in {**body, **overrides}.items() if v is not None}


async def sandbox_account_count(database: Database) -> int:
    async with database.engine.connect() as connection:
        query = sa.select(sa.func.count()).select_from(sandbox_accounts)
        return int((await connection.execute(query)).scalar_one())


async def test_the_bank_opens_an_account_on_its_own_and_hands_it_to_the_connector(
    sandbox: Sandbox,
) -> None:
    merchant_id = await onboarded(sandbox.bank)

    response = await sandbox.client.post("/sandbox/accounts", json=unprompted())

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    [handed] = sandbox.account_sink.received
    assert data["accountId"] == "acc-1"
    assert data["providerAccountId"] == handed.provider_account_id
    assert (handed.customer_id, handed.client_id) == ("cust-1", "client-1")
    assert handed.provider_merchant_id == merchant_id
    assert (handed.currency, handed.country_code, handed.product_code) == (
        "EUR",
        "ES",
        "Banking-EU-1",
    )
    assert handed.holder_name == "Acme Ltd"
    assert handed.iban is not None
    assert handed.iban.startswith("ES")
    assert data["iban"] == handed.iban
    at_bank = await sandbox.bank.get_account(handed.provider_account_id)
    assert at_bank.status is ProviderAccountStatus.ACTIVE


UNPROMPTED_BAD_INPUT = [
    (unprompted(currency=None), 400, "INVALID_REQUEST"),
    (unprompted(customerId=""), 400, "INVALID_REQUEST"),
    (unprompted(countryCode="Spain"), 400, "INVALID_REQUEST"),
    (unprompted(currency="euro"), 400, "INVALID_REQUEST"),
    (unprompted(currency="zzz"), 400, "CURRENCY_NOT_SUPPORTED"),
    (unprompted(clientId="client-unknown"), 404, "ERROR_CLIENT_NOT_FOUND"),
    (unprompted(customerId="cust-unknown"), 404, "ERROR_CLIENT_NOT_FOUND"),
    (unprompted(countryCode="FR", currency="GBP"), 422, "INVALID_ACCOUNT_PRODUCT_CODE_COUNTRY"),
]


@pytest.mark.parametrize(("body", "status", "code"), UNPROMPTED_BAD_INPUT)
async def test_bad_unprompted_openings_get_the_envelope_and_open_nothing(
    sandbox: Sandbox, body: dict[str, Any], status: int, code: str
) -> None:
    await onboarded(sandbox.bank)

    response = await sandbox.client.post("/sandbox/accounts", json=body)

    assert response.status_code == status, response.text
    envelope = response.json()
    assert (envelope["code"], envelope["errorSeverity"]) == (code, "ERROR")
    assert sandbox.account_sink.received == []
    assert await sandbox_account_count(sandbox.database) == 0


def test_the_http_vocabulary_matches_the_sandbox_bank() -> None:
    assert set(typing.get_args(OperationName)) == {str(op) for op in SandboxOperation}
    assert set(typing.get_args(FaultKindName)) == {str(kind) for kind in FaultKind}


async def test_the_routes_are_documented_with_operation_ids(sandbox: Sandbox) -> None:
    schema = (await sandbox.client.get("/schema/openapi.json")).json()

    operations = {
        operation["operationId"]
        for path, item in schema["paths"].items()
        if path.startswith("/sandbox")
        for operation in item.values()
    }
    assert operations == {
        "sandboxReceiveInboundTransfer",
        "sandboxArmFault",
        "sandboxListFaults",
        "sandboxClearFaults",
        "sandboxOpenAccountUnprompted",
        "sandboxArmPaymentOutcome",
        "sandboxListPaymentOutcomes",
        "sandboxClearPaymentOutcomes",
        "sandboxSettlePayments",
        "sandboxReturnPayment",
        "sandboxGetPayment",
    }
