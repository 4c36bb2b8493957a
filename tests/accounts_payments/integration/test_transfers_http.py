"""Save transfer over HTTP on PostgreSQL: the lifecycle, idempotency under concurrency, refusals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.accounts_payments.integration.test_accounts_http import account_body
from tests.accounts_payments.integration.transfers_app import (
    PAYMENTS,
    TransfersApi,
    transfers_service,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def api(postgres_url: str) -> AsyncIterator[TransfersApi]:
    async with transfers_service(postgres_url) as service:
        yield service


async def test_a_saved_transfer_is_pending_with_its_funds_held_until_the_bank_settles_it(
    api: TransfersApi,
) -> None:
    saved = await api.save(api.transfer())

    assert saved.status_code == 200, saved.text
    data = saved.json()["data"]
    assert data["status"] == "PENDING"
    assert data["corePaymentType"] == "payment-type-EU-SEPA-Step2"
    assert (data["balance"], data["baseTotal"]) == (1000.0, 100.5)
    assert data["paymentProviderDetails"]["internalReference"] == data["id"]
    assert await api.balances() == [899.5, 1000.0]
    status_path = f"{PAYMENTS}/{data['id']}/status"
    status = await api.client.get(status_path, headers=api.auth())
    assert status.json()["data"] == {
        "key": data["id"], "value": "PENDING", "left": data["id"], "right": "PENDING"
    }  # fmt: skip

    settled = await api.client.post("/sandbox/payments/settle")

    assert settled.json()["data"] == {"delivered": 2}
    assert await api.balances() == [899.5, 899.5]
    status = await api.client.get(status_path, headers=api.auth())
    assert status.json()["data"]["value"] == "POSTED"
    hooks = await api.status_webhooks(data["id"])
    assert [h["status"] for h in hooks] == ["PENDING", "PENDING", "ACCEPTED", "POSTED"]
    assert hooks[-1]["balance"] == 899.5
    button = await api.client.get(f"{PAYMENTS}/{data['id']}/dynamicButton", headers=api.auth())
    assert (button.status_code, button.json()["data"]) == (200, {})


async def test_concurrent_duplicates_with_one_key_make_one_payment_one_hold_one_webhook_each(
    api: TransfersApi,
) -> None:
    before = await api.state()
    body = api.transfer()

    answers = await asyncio.gather(*(api.save(body, key="dup-1") for _ in range(12)))

    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {200, 409}
    first = [a for a in answers if a.status_code == 200 and "idempotent-replayed" not in a.headers]
    assert len(first) == 1
    for replay in (a for a in answers if a.status_code == 200):
        assert replay.content == first[0].content
    for busy in (a for a in answers if a.status_code == 409):
        assert busy.json()["code"] == "IDEMPOTENCY_REQUEST_IN_PROGRESS"
    payments, holds, *_ = await api.state()
    assert (payments, holds) == (before[0] + 1, before[1] + 1)
    assert await api.balances() == [899.5, 1000.0]

    await api.client.post("/sandbox/payments/settle")
    again = await api.save(body, key="dup-1")

    assert again.content == first[0].content
    assert again.headers["idempotent-replayed"] == "true"
    payment_id = first[0].json()["data"]["id"]
    hooks = await api.status_webhooks(payment_id)
    assert [h["status"] for h in hooks] == ["PENDING", "PENDING", "ACCEPTED", "POSTED"]
    assert await api.balances() == [899.5, 899.5]


async def test_the_same_key_with_another_body_is_refused_and_changes_nothing(
    api: TransfersApi,
) -> None:
    await api.save(api.transfer(), key="k-1")
    before = await api.state()

    clash = await api.save(api.transfer(amount=1.0), key="k-1")

    assert clash.status_code == 422
    assert clash.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await api.state() == before


async def test_an_insufficient_funds_decline_is_the_final_answer_for_its_key(
    api: TransfersApi,
) -> None:
    before = await api.state()

    declined = await api.save(api.transfer(amount=5000), key="big-1")
    again = await api.save(api.transfer(amount=5000), key="big-1")

    assert declined.status_code == 422
    assert declined.json()["code"] == "INSUFFICIENT_FUNDS"
    assert again.content == declined.content
    assert again.headers["idempotent-replayed"] == "true"
    assert await api.state() == before


async def test_a_payment_the_bank_rejects_releases_its_hold_and_tells_why(
    api: TransfersApi,
) -> None:
    armed = await api.client.post(
        "/sandbox/payments/outcomes", json={"outcome": "REJECT", "reasonCode": "AM04"}
    )
    assert armed.status_code == 200, armed.text
    saved = await api.save(api.transfer())
    payment_id = saved.json()["data"]["id"]
    assert await api.balances() == [899.5, 1000.0]

    await api.client.post("/sandbox/payments/settle")

    assert await api.balances() == [1000.0, 1000.0]
    hooks = await api.status_webhooks(payment_id)
    assert [h["status"] for h in hooks] == ["PENDING", "PENDING", "FAILED"]
    assert hooks[-1]["failureReason"] == "AM04: Insufficient funds at the bank"


async def test_a_returned_payment_is_credited_back_as_a_new_transaction(
    api: TransfersApi,
) -> None:
    saved = await api.save(api.transfer())
    payment_id = saved.json()["data"]["id"]
    await api.client.post("/sandbox/payments/settle")
    provider_id = saved.json()["data"]["paymentProviderDetails"]["paymentId"]

    returned = await api.client.post(
        f"/sandbox/payments/{provider_id}/return", json={"reasonCode": "AC04"}
    )

    assert returned.status_code == 200, returned.text
    assert await api.balances() == [1000.0, 1000.0]
    status = await api.client.get(f"{PAYMENTS}/{payment_id}/status", headers=api.auth())
    assert status.json()["data"]["value"] == "POSTED"
    back = await api.client.get(f"{PAYMENTS}/{payment_id}:return/status", headers=api.auth())
    assert back.json()["data"]["value"] == "ACCEPTED"


def _refusals() -> list[Any]:
    return [
        pytest.param({"beneficiaryAccountId": "nobody"}, 404, "BENEFICIARY_NOT_FOUND", id="payee"),
        pytest.param({"sourceAccountId": "nowhere"}, 404, "ERROR_ACCOUNT_NOT_FOUND", id="account"),
        pytest.param({"currency": "usd"}, 400, "CURRENCY_MISMATCH", id="currency"),
        pytest.param({"currency": "XXQ"}, 400, "INVALID_CURRENCY", id="unknown-currency"),
        pytest.param({"amount": 0}, 400, "INVALID_AMOUNT", id="zero"),
        pytest.param({"amount": -5}, 400, "INVALID_AMOUNT", id="negative"),
        pytest.param({"amount": 1.005}, 400, "INVALID_AMOUNT", id="decimals"),
        pytest.param({"amount": 5000}, 422, "INSUFFICIENT_FUNDS", id="funds"),
        pytest.param({"concept": "Café crème"}, 400, "INVALID_SEPA_TEXT", id="sepa-charset"),
        pytest.param({"reference": "R" * 36}, 400, "INVALID_SEPA_TEXT", id="sepa-length"),
        pytest.param(
            {"bankPaymentScheme": "SWIFT"}, 400, "BANK_PAYMENT_SCHEME_NOT_AVAILABLE", id="scheme"
        ),
        pytest.param({"amount": "ten"}, 400, "INVALID_REQUEST", id="malformed"),
        pytest.param({"sourceAccountId": None}, 400, "INVALID_REQUEST", id="missing"),
    ]


@pytest.mark.parametrize(("change", "status", "code"), _refusals())
async def test_bad_transfers_get_the_envelope_and_change_nothing(
    api: TransfersApi, change: dict[str, Any], status: int, code: str
) -> None:
    before = await api.state()
    body = api.transfer()
    body.update(change)

    refused = await api.save({k: v for k, v in body.items() if v is not None}, key="bad-1")

    assert refused.status_code == status, refused.text
    envelope = refused.json()
    assert (envelope["code"], envelope["errorSeverity"]) == (code, "ERROR")
    assert envelope["message"]
    assert await api.state() == before
    assert await api.balances() == [1000.0, 1000.0]


async def test_a_closed_account_cannot_pay_and_nothing_changes(api: TransfersApi) -> None:
    empty = await api.client.post(
        "/customers/cust-1/clients/cl-1/accounts",
        json=account_body(alias="Second"),
        headers=api.auth(),
    )
    second = empty.json()["data"]["accountId"]
    closed = await api.client.delete(
        f"/customers/cust-1/clients/cl-1/accounts/{second}", headers=api.auth()
    )
    assert closed.status_code == 200, closed.text
    before = await api.state()

    refused = await api.save(api.transfer(sourceAccountId=second))

    assert refused.status_code == 422
    assert refused.json()["code"] == "ACCOUNT_CLOSED"
    assert await api.state() == before


async def test_unknown_transactions_have_no_status_and_no_button(api: TransfersApi) -> None:
    status = await api.client.get(f"{PAYMENTS}/nope/status", headers=api.auth())
    button = await api.client.get(f"{PAYMENTS}/nope/dynamicButton", headers=api.auth())

    assert (status.status_code, status.json()["code"]) == (404, "TRANSACTION_NOT_FOUND")
    assert (button.status_code, button.json()["code"]) == (404, "TRANSACTION_NOT_FOUND")
