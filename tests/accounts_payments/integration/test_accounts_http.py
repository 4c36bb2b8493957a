"""Account endpoints over HTTP on PostgreSQL: happy paths and Toqio's envelope for bad input."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from accounts_payments.adapters.persistence import tables
from accounts_payments.adapters.persistence.account_tables import accounts
from tests.accounts_payments.integration.http_app import ISSUER, HttpApi, sandbox_service

pytestmark = pytest.mark.integration

BASE = "/customers/cust-1/clients/cl-1/accounts"


class Api(HttpApi):
    async def account_rows(self) -> int:
        return await self.count(accounts)

    async def webhook_types(self) -> list[str]:
        async with self.database.engine.connect() as connection:
            rows = await connection.execute(
                sa.select(tables.webhooks.deliveries.c.webhook_type).order_by(
                    tables.webhooks.deliveries.c.created_at
                )
            )
            return [row[0] for row in rows]

    async def open(self, **overrides: Any) -> dict[str, Any]:
        response = await self.client.post(BASE, json=account_body(**overrides), headers=self.auth())
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        return data


def account_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Acme Ltd",
        "clientId": "cl-1",
        "address": "1 Main St",
        "city": "Madrid",
        "postalCode": "28001",
        "assetType": "eur",
        "countryCode": "ES",
        "alias": "Main",
        "partnerProduct": "Banking-EU-1",
        "readOnly": False,
        "signUpRequest": {"name": "Acme Ltd"},
        "somethingNew": "tolerated",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


@pytest.fixture
async def api(postgres_url: str) -> AsyncIterator[Api]:
    async with sandbox_service(postgres_url) as service:
        api = Api(service.client, service.database)
        registered = await api.client.post(
            "/customers",
            json={
                "id": "cust-1",
                "apiKey": "api-key-0123456789abcdef",
                "availableCurrencies": ["eur"],
            },
            headers=api.auth(),
        )
        assert registered.status_code == 200, registered.text
        yield api


async def test_open_get_list_update_and_close(api: Api) -> None:
    opened = await api.open()
    path = f"{BASE}/{opened['accountId']}"
    assert opened["status"] == "ACTIVE"
    assert opened["assetType"] == "eur"

    got = await api.client.get(path, headers=api.auth())
    listed = await api.client.get(BASE, headers=api.auth())
    updated = await api.client.put(
        path,
        json={"alias": "Ops", "address": "2 Side St", "city": "Bilbao", "postalCode": "48001",
              "status": "SUSPENDED"},
        headers=api.auth(),
    )  # fmt: skip
    closed = await api.client.delete(path, headers=api.auth())

    assert got.json()["data"]["iban"] == opened["iban"]
    assert [a["accountId"] for a in listed.json()["data"]] == [opened["accountId"]]
    assert updated.json()["data"]["alias"] == "Ops"
    assert updated.json()["data"]["status"] == "SUSPENDED"
    assert closed.status_code == 200
    assert closed.json()["code"] == "OK"
    final = await api.client.get(path, headers=api.auth())
    assert final.json()["data"]["status"] == "CLOSED"
    assert await api.webhook_types() == ["SYNC_ACCOUNT_STATUS"] * 3


async def test_balances_options_certificate_footer_statement_and_status(api: Api) -> None:
    opened = await api.open()
    account_id = opened["accountId"]
    moved = await api.client.post(
        "/sandbox/inbound-transfers",
        json={"accountId": account_id, "amount": "20.00", "currency": "EUR", "debtorName": "Bob",
              "debtorIban": "DE89370400440532013000", "reference": "r1"},
    )  # fmt: skip
    transaction_id = moved.json()["data"]["transactionId"]
    auth = api.auth()

    balances = await api.client.get(
        f"/customers/cust-1/accounts/{account_id}/dynamicBalances", headers=auth
    )
    options = await api.client.get(
        f"/customers/cust-1/accounts/{account_id}/payment-options", headers=auth
    )
    certificate = await api.client.get(
        f"/customers/cust-1/merchants/cl-1/accounts/{account_id}/certificates/ownership",
        headers=auth,
    )
    footer = await api.client.get(
        "/customers/cust-1/ledgerType/regular/bankStatement/footer/es-ES", headers=auth
    )
    status = await api.client.get(
        f"/customers/cust-1/transactions/{transaction_id}/status", headers=auth
    )
    period = {"start": "2000-01-01T00:00:00Z", "end": "2100-01-01T00:00:00Z"}
    statement = await api.client.post(
        f"{BASE}/{account_id}/bankStatement", json=period, headers=auth
    )

    assert balances.json()["data"][0]["amount"] == 20.0
    assert options.json()["data"] == {"beneficiarySelectionMode": "ANY_BENEFICIARY_ANY_PROVIDER"}
    assert base64.b64decode(certificate.json()["data"]).startswith(b"%PDF")
    assert footer.json()["data"].startswith("Las cuentas")
    assert status.json()["data"] == {
        "key": transaction_id,
        "value": "ACCEPTED",
        "left": transaction_id,
        "right": "ACCEPTED",
    }
    assert [line["transactionNumber"] for line in statement.json()["data"]] == [transaction_id]
    assert "SAVE_TRANSACTION" in await api.webhook_types()


async def test_the_statement_otp_flow_over_http(api: Api) -> None:
    account_id = (await api.open())["accountId"]
    path = f"{BASE}/{account_id}/bankStatementOtp"
    period = {"start": "2000-01-01T00:00:00Z", "end": "2100-01-01T00:00:00Z"}

    challenged = await api.client.post(path, json={"dateRange": period}, headers=api.auth())
    assert challenged.status_code == 422
    body = challenged.json()
    assert body["code"] == "OTP_REQUIRED"
    assert body["data"]["requestId"] == body["requestId"]
    assert body["data"]["resend"] is True
    operation_id = body["data"]["operationId"]
    code = (await api.client.get(f"/sandbox/otp/{operation_id}")).json()["data"]["otp"]

    wrong = await api.client.post(
        path,
        json={"dateRange": period, "operationId": operation_id, "OTPBaas": "x"},
        headers=api.auth(),
    )
    right = await api.client.post(
        path,
        json={"dateRange": period, "operationId": operation_id, "baasOTP": code},
        headers=api.auth(),
    )
    assert (wrong.status_code, wrong.json()["code"]) == (422, "OTP_INVALID")
    assert right.status_code == 200
    assert right.json()["data"] == []


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"assetType": None}, 400, "INVALID_REQUEST"),
        ({"name": 42}, 400, "INVALID_REQUEST"),
        ({"countryCode": "Spain"}, 400, "INVALID_REQUEST"),
        ({"clientId": "someone-else"}, 400, "INVALID_REQUEST"),
        ({"assetType": "usd"}, 400, "CURRENCY_NOT_SUPPORTED"),
        ({"assetType": "zzz"}, 400, "CURRENCY_NOT_SUPPORTED"),
    ],
)
async def test_bad_account_requests_get_the_envelope_and_change_nothing(
    api: Api, overrides: dict[str, Any], status: int, code: str
) -> None:
    response = await api.client.post(BASE, json=account_body(**overrides), headers=api.auth())

    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["errorSeverity"] == "ERROR"
    assert await api.account_rows() == 0


@pytest.mark.parametrize(
    ("token", "customer"),
    [(None, "cust-1"), ("garbage", "cust-1"), (ISSUER.expired(), "cust-1"),
     (ISSUER.signed_by_other_key(), "cust-1"), (ISSUER.issue("cust-2"), "cust-1")],
)  # fmt: skip
async def test_bad_or_foreign_jwts_are_401_and_change_nothing(
    api: Api, token: str | None, customer: str
) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await api.client.post(
        f"/customers/{customer}/clients/cl-1/accounts", json=account_body(), headers=headers
    )
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"
    assert await api.account_rows() == 0


@pytest.mark.parametrize(
    ("method", "path", "code"),
    [
        ("GET", "/customers/cust-9/clients/cl-1/accounts", "CUSTOMER_NOT_FOUND"),
        ("GET", f"{BASE}", "ERROR_CLIENT_NOT_FOUND"),
        ("GET", f"{BASE}/nope", "ACCOUNT_NOT_FOUND"),
        ("PUT", f"{BASE}/nope", "ACCOUNT_NOT_FOUND_FOR_CLIENT"),
        ("DELETE", f"{BASE}/nope", "ACCOUNT_CLIENT_NOT_FOUND"),
        ("GET", "/customers/cust-1/accounts/nope/dynamicBalances", "ACCOUNT_NOT_FOUND"),
        ("GET", "/customers/cust-1/accounts/nope/payment-options", "ACCOUNT_NOT_FOUND"),
        (
            "GET",
            "/customers/cust-1/merchants/cl-1/accounts/nope/certificates/ownership",
            "ACCOUNT_NOT_FOUND",
        ),
        ("GET", "/customers/cust-1/transactions/nope/status", "TRANSACTION_NOT_FOUND"),
        ("POST", f"{BASE}/nope/bankStatement", "ACCOUNT_NOT_FOUND"),
    ],
)
async def test_unknown_things_are_404_with_the_specs_code(
    api: Api, method: str, path: str, code: str
) -> None:
    customer = path.split("/")[2]
    body: dict[str, Any] | None = None
    if method == "PUT":
        body = {"address": "a", "city": "b", "postalCode": "c"}
    elif method == "POST":
        body = {"start": "2000-01-01T00:00:00Z", "end": "2100-01-01T00:00:00Z"}
    response = await api.client.request(method, path, json=body, headers=api.auth(customer))

    assert response.status_code == 404, response.text
    assert response.json()["code"] == code


async def test_bad_footer_and_statement_input_is_400(api: Api) -> None:
    account_id = (await api.open())["accountId"]
    footer = await api.client.get(
        "/customers/cust-1/ledgerType/casino/bankStatement/footer/en-US", headers=api.auth()
    )
    statement = await api.client.post(
        f"{BASE}/{account_id}/bankStatement",
        json={"start": "2100-01-01T00:00:00Z", "end": "2000-01-01T00:00:00Z"},
        headers=api.auth(),
    )
    malformed = await api.client.post(
        f"{BASE}/{account_id}/bankStatement", json={"start": "yesterday"}, headers=api.auth()
    )
    assert footer.json()["code"] == "INVALID_LEDGER_TYPE"
    assert statement.json()["code"] == "INVALID_DATE_RANGE"
    assert malformed.status_code == 400
    assert malformed.json()["code"] == "INVALID_REQUEST"
