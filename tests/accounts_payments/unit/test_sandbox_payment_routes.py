"""The sandbox payment endpoints: outcomes armed, payments settled and returned on demand."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from accounts_payments.adapters.providers import SandboxBank
from accounts_payments.adapters.providers.sandbox_settlement import SandboxSettlementWorker
from accounts_payments.application.ports.payment_provider import ProviderPaymentStatus
from accounts_payments.entrypoints.http.app import PROVIDER_ERROR_STATUSES
from accounts_payments.entrypoints.http.sandbox import sandbox_route_handlers
from building_blocks.web import create_app
from tests.accounts_payments.sandbox_payment_support import (
    PAYEE_IBAN,
    ManualClock,
    RecordingPaymentSink,
    fund,
    instruction,
    open_account,
    sandbox_bank,
)
from tests.accounts_payments.sandbox_support import (
    RecordingAccountSink,
    RecordingSink,
    sandbox_database,
)

pytestmark = pytest.mark.unit

S = ProviderPaymentStatus


@dataclass
class Sandbox:
    client: AsyncTestClient[Any]
    bank: SandboxBank
    sink: RecordingPaymentSink
    payer: str

    async def submit(self, reference: str, minor: int = 1000, **options: Any) -> str:
        receipt = await self.bank.submit_payment(
            instruction(reference, self.payer, minor, **options)
        )
        return receipt.provider_payment_id


async def _unknown(_account_id: str) -> str | None:
    return None


def _app(bank: SandboxBank, **payments: Any) -> Any:
    handlers = sandbox_route_handlers(
        enabled=True,
        bank=bank,
        resolve_account=_unknown,
        sink=RecordingSink(),
        account_sink=RecordingAccountSink(),
        **payments,
    )
    return create_app(
        service="accounts_payments",
        route_handlers=handlers,
        readiness={},
        error_statuses=PROVIDER_ERROR_STATUSES,
    )


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with sandbox_database(f"sqlite:///{tmp_path / 'sandbox.db'}") as database:
        bank, sink = sandbox_bank(database, ManualClock()), RecordingPaymentSink()
        payer, _ = await open_account(bank, "payer")
        await fund(bank, payer, 10_000)
        worker = SandboxSettlementWorker(bank.payments, sink)
        app = _app(bank, payment_settlement=worker, payment_sink=sink)
        async with AsyncTestClient(app=app) as client:
            yield Sandbox(client, bank, sink, payer)


async def test_outcomes_can_be_armed_listed_and_cleared(sandbox: Sandbox) -> None:
    armed = await sandbox.client.post(
        "/sandbox/payments/outcomes",
        json={
            "outcome": "REJECT",
            "reasonCode": "AC01",
            "creditorIban": "DE89 3704 0044 0532 0130 00",
        },
    )
    await sandbox.client.post("/sandbox/payments/outcomes", json={"outcome": "CANCEL", "times": 3})
    listed = await sandbox.client.get("/sandbox/payments/outcomes")
    cleared = await sandbox.client.delete("/sandbox/payments/outcomes")

    assert armed.status_code == 200, armed.text
    [first] = armed.json()["data"]
    assert first["id"]
    assert {k: v for k, v in first.items() if k != "id"} == {
        "outcome": "REJECT",
        "reasonCode": "AC01",
        "creditorIban": PAYEE_IBAN,
        "remaining": 1,
    }
    assert [(o["outcome"], o["reasonCode"], o["remaining"]) for o in listed.json()["data"]] == [
        ("REJECT", "AC01", 1),
        ("CANCEL", "MS03", 3),
    ]
    assert cleared.status_code == 200
    assert cleared.json()["data"] == []
    assert sandbox.bank.payments.armed_outcomes() == []


async def test_settling_now_decides_and_reports_every_submitted_payment(sandbox: Sandbox) -> None:
    await sandbox.client.post(
        "/sandbox/payments/outcomes", json={"outcome": "REJECT", "reasonCode": "AM04"}
    )
    await sandbox.submit("pay-1")
    await sandbox.submit("pay-2")

    response = await sandbox.client.post("/sandbox/payments/settle")

    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"delivered": 3}
    assert sandbox.sink.statuses() == [
        ("pay-1", S.REJECTED),
        ("pay-2", S.ACCEPTED),
        ("pay-2", S.SETTLED),
    ]
    assert sandbox.sink.updates[0].reason_code == "AM04"


async def test_a_returned_payment_is_reported_to_the_connector(sandbox: Sandbox) -> None:
    payment_id = await sandbox.submit("pay-1", 2500)
    await sandbox.client.post("/sandbox/payments/settle")

    response = await sandbox.client.post(
        f"/sandbox/payments/{payment_id}/return", json={"reasonCode": "AC04"}
    )
    shown = await sandbox.client.get(f"/sandbox/payments/{payment_id}")

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert (data["providerPaymentId"], data["reference"]) == (payment_id, "pay-1")
    assert (data["status"], data["reasonCode"]) == ("RETURNED", "AC04")
    assert sandbox.sink.statuses()[-1] == ("pay-1", S.RETURNED)
    assert sandbox.sink.updates[-1].reason_code == "AC04"
    row = shown.json()["data"]
    assert (row["status"], row["reportedStatus"]) == ("RETURNED", "RETURNED")


async def test_a_return_without_a_body_gives_the_default_reason(sandbox: Sandbox) -> None:
    payment_id = await sandbox.submit("pay-1")
    await sandbox.client.post("/sandbox/payments/settle")

    response = await sandbox.client.post(f"/sandbox/payments/{payment_id}/return")

    assert response.status_code == 200, response.text
    assert response.json()["data"]["reasonCode"] == "MD06"


async def test_a_payment_shows_as_the_bank_holds_it(sandbox: Sandbox) -> None:
    payment_id = await sandbox.submit("pay-1", 1050)

    response = await sandbox.client.get(f"/sandbox/payments/{payment_id}")

    assert response.status_code == 200, response.text
    row = response.json()["data"]
    assert row["providerPaymentId"] == payment_id
    assert row["providerAccountId"] == sandbox.payer
    assert (row["reference"], row["status"], row["reportedStatus"]) == ("pay-1", "SUBMITTED", None)
    assert (str(row["amount"]), row["currency"]) == ("10.50", "EUR")
    assert (row["creditorIban"], row["creditorName"], row["scheme"]) == (
        PAYEE_IBAN,
        "Payee GmbH",
        "SEPA_CT",
    )
    assert row["settleAt"] > row["createdAt"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("GET", "/sandbox/payments/nope", None, 404, "PAYMENT_NOT_FOUND"),
        ("POST", "/sandbox/payments/nope/return", {}, 404, "PAYMENT_NOT_FOUND"),
        ("POST", "/sandbox/payments/{submitted}/return", {}, 422, "PAYMENT_NOT_RETURNABLE"),
        ("POST", "/sandbox/payments/{submitted}/return", {"reasonCode": "bad!"}, 400, None),
        ("POST", "/sandbox/payments/outcomes", {"outcome": "EXPLODE"}, 400, None),
        ("POST", "/sandbox/payments/outcomes", {"reasonCode": "AC01"}, 400, None),
        (
            "POST",
            "/sandbox/payments/outcomes",
            {"outcome": "REJECT", "reasonCode": "bad!"},
            400,
            None,
        ),
        (
            "POST",
            "/sandbox/payments/outcomes",
            {"outcome": "REJECT", "reasonCode": "ac01"},
            400,
            None,
        ),
        ("POST", "/sandbox/payments/outcomes", {"outcome": "REJECT", "times": 0}, 400, None),
        (
            "POST",
            "/sandbox/payments/outcomes",
            {"outcome": "CANCEL", "creditorIban": "DE00"},
            400,
            "INVALID_IBAN",
        ),
    ],
)
async def test_bad_requests_get_the_error_envelope_and_change_nothing(
    sandbox: Sandbox, method: str, path: str, body: Any, status: int, code: str | None
) -> None:
    submitted = await sandbox.submit("pay-1")

    response = await sandbox.client.request(method, path.format(submitted=submitted), json=body)

    assert response.status_code == status, response.text
    envelope = response.json()
    assert envelope["code"] == (code or "INVALID_REQUEST")
    assert envelope["errorSeverity"] == "ERROR"
    assert sandbox.bank.payments.armed_outcomes() == []
    assert sandbox.sink.updates == []
    stored = await sandbox.bank.payments.get(submitted)
    assert stored is not None
    assert stored["status"] == S.SUBMITTED


async def test_without_a_worker_or_a_sink_settling_and_returning_are_not_implemented(
    sandbox: Sandbox,
) -> None:
    payment_id = await sandbox.submit("pay-1")
    await sandbox.bank.payments.decide_due(everything=True)

    async with AsyncTestClient(app=_app(sandbox.bank)) as client:
        settle = await client.post("/sandbox/payments/settle")
        returned = await client.post(f"/sandbox/payments/{payment_id}/return", json={})
        armed = await client.post("/sandbox/payments/outcomes", json={"outcome": "CANCEL"})

    for response in (settle, returned):
        assert response.status_code == 501, response.text
        assert response.json()["code"] == "FUNCTION_NOT_IMPLEMENTED_YET"
    assert armed.status_code == 200
    stored = await sandbox.bank.payments.get(payment_id)
    assert stored is not None
    assert stored["status"] == S.SETTLED  # nothing was returned behind the connector's back
