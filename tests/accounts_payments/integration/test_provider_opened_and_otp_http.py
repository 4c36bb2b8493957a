"""On PostgreSQL over HTTP: accounts the bank opens on its own (LEDGER_CREATED), and OTP resend."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from accounts_payments.adapters.persistence import tables
from accounts_payments.adapters.persistence.account_tables import accounts, otp_challenges
from accounts_payments.adapters.persistence.sandbox_tables import sandbox_accounts
from shared_kernel.contracts import AccountOpenedV1, decode_envelope
from tests.accounts_payments.integration.http_app import HttpApi, sandbox_service
from tests.accounts_payments.integration.test_accounts_http import BASE, account_body

pytestmark = pytest.mark.integration

PERIOD = {"start": "2000-01-01T00:00:00Z", "end": "2100-01-01T00:00:00Z"}


class Api(HttpApi):
    async def webhooks(self) -> list[tuple[str, dict[str, Any], str | None]]:
        d = tables.webhooks.deliveries.c
        async with self.database.engine.connect() as connection:
            rows = await connection.execute(
                sa.select(d.webhook_type, d.body, d.ordering_key).order_by(d.created_at)
            )
            return [(row[0], json.loads(row[1]), row[2]) for row in rows]

    async def messages(self) -> list[Any]:
        o = tables.messaging.outbox.c
        async with self.database.engine.connect() as connection:
            rows = await connection.execute(sa.select(o.body).order_by(o.id))
            return [decode_envelope(row[0]).payload for row in rows]

    async def state(self) -> tuple[int, ...]:
        """Row counts of everything the new endpoints could write."""
        return (
            await self.count(accounts),
            await self.count(sandbox_accounts),
            await self.count(tables.webhooks.deliveries),
            await self.count(tables.messaging.outbox),
        )


def unprompted(**overrides: Any) -> dict[str, Any]:
    body = {
        "customerId": "cust-1",
        "clientId": "cl-1",
        "currency": "EUR",
        "countryCode": "ES",
        "partnerProduct": "Banking-EU-2",
    }
    return {k: v for k, v in {**body, **overrides}.items() if v is not None}


@pytest.fixture
async def api(postgres_url: str) -> AsyncIterator[Api]:
    async with sandbox_service(postgres_url) as service:
        api = Api(service.client, service.database)
        client = api.client
        registered = await client.post(
            "/customers",
            json={"id": "cust-1", "apiKey": "api-key-0123456789abcdef"},
            headers=api.auth(),
        )
        assert registered.status_code == 200, registered.text
        # The first account onboards the merchant at the sandbox bank and in the connector.
        first = await client.post(BASE, json=account_body(), headers=api.auth())
        assert first.status_code == 200, first.text
        yield api


async def test_an_account_the_bank_opens_itself_reaches_toqio_as_ledger_created(
    api: Api,
) -> None:
    before = await api.webhooks()

    response = await api.client.post("/sandbox/accounts", json=unprompted())

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    account_id = data["accountId"]
    assert data["iban"].startswith("ES")
    got = await api.client.get(f"{BASE}/{account_id}", headers=api.auth())
    assert got.status_code == 200, got.text
    shown = got.json()["data"]
    assert (shown["status"], shown["partnerProduct"], shown["iban"]) == (
        "ACTIVE",
        "Banking-EU-2",
        data["iban"],
    )
    listed = await api.client.get(BASE, headers=api.auth())
    assert account_id in [a["accountId"] for a in listed.json()["data"]]
    assert len(listed.json()["data"]) == 2

    [(webhook_type, body, ordering_key)] = (await api.webhooks())[len(before) :]
    assert webhook_type == "LEDGER_CREATED"
    assert ordering_key == f"account:{account_id}"
    assert body == {**shown, "clientId": "cl-1"}
    opened = [m for m in await api.messages() if isinstance(m, AccountOpenedV1)]
    assert opened[-1] == AccountOpenedV1(
        customer_id="cust-1",
        client_id="cl-1",
        account_id=account_id,
        currency="EUR",
        iban=data["iban"],
    )
    assert len(opened) == 2


async def test_money_can_arrive_on_an_account_the_bank_opened_itself(api: Api) -> None:
    account_id = (await api.client.post("/sandbox/accounts", json=unprompted())).json()["data"][
        "accountId"
    ]

    moved = await api.client.post(
        "/sandbox/inbound-transfers",
        json={"accountId": account_id, "amount": "7.25", "currency": "EUR", "debtorName": "Bob",
              "debtorIban": "DE89370400440532013000", "reference": "r1"},
    )  # fmt: skip

    assert moved.status_code == 200, moved.text
    got = await api.client.get(f"{BASE}/{account_id}", headers=api.auth())
    assert got.json()["data"]["totalBalance"] == 7.25


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (unprompted(currency=None), 400, "INVALID_REQUEST"),
        (unprompted(partnerProduct=""), 400, "INVALID_REQUEST"),
        (unprompted(countryCode="Spain"), 400, "INVALID_REQUEST"),
        (unprompted(currency="XXX"), 400, "CURRENCY_NOT_SUPPORTED"),
        (unprompted(clientId="cl-unknown"), 404, "ERROR_CLIENT_NOT_FOUND"),
        (unprompted(customerId="cust-9"), 404, "ERROR_CLIENT_NOT_FOUND"),
        (unprompted(currency="GBP"), 422, "INVALID_ACCOUNT_PRODUCT_CODE_COUNTRY"),
    ],
)
async def test_bad_unprompted_openings_get_the_envelope_and_change_nothing(
    api: Api, body: dict[str, Any], status: int, code: str
) -> None:
    before = await api.state()

    response = await api.client.post("/sandbox/accounts", json=body)

    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert response.json()["errorSeverity"] == "ERROR"
    assert await api.state() == before


async def _challenge(api: Api) -> tuple[str, str]:
    """Start the statement OTP flow; returns the operation id and its account's path."""
    listed = await api.client.get(BASE, headers=api.auth())
    path = f"{BASE}/{listed.json()['data'][0]['accountId']}/bankStatementOtp"
    challenged = await api.client.post(path, json={"dateRange": PERIOD}, headers=api.auth())
    assert challenged.status_code == 422, challenged.text
    return challenged.json()["data"]["operationId"], path


async def _otp_rows(api: Api) -> list[tuple[Any, ...]]:
    async with api.database.engine.connect() as connection:
        rows = await connection.execute(sa.select(otp_challenges).order_by("operation_id"))
        return [tuple(row) for row in rows]


async def test_resending_the_otp_sends_a_new_code_that_completes_the_statement(
    api: Api,
) -> None:
    operation_id, path = await _challenge(api)
    [before] = await _otp_rows(api)

    resent = await api.client.post(
        f"/customer/cust-1/resend/otp/{operation_id}", headers=api.auth()
    )

    assert resent.status_code == 200, resent.text
    envelope = resent.json()
    assert (envelope["code"], envelope["httpStatus"]) == ("OK", 200)
    assert envelope["data"]["requestId"] == envelope["requestId"]
    assert envelope["data"]["date"].endswith("Z")
    [after] = await _otp_rows(api)
    assert after != before  # a new code hash and expiry
    code = (await api.client.get(f"/sandbox/otp/{operation_id}")).json()["data"]["otp"]
    statement = await api.client.post(
        path,
        json={"dateRange": PERIOD, "operationId": operation_id, "baasOTP": code},
        headers=api.auth(),
    )
    assert statement.status_code == 200, statement.text


@pytest.mark.parametrize(
    ("path", "token_customer", "status", "code"),
    [
        ("/customer/cust-1/resend/otp/no-such-operation", "cust-1", 404, "OTP_OPERATION_NOT_FOUND"),
        ("/customer/cust-9/resend/otp/{op}", "cust-9", 404, "CUSTOMER_NOT_FOUND"),
        ("/customer/cust-1/resend/otp/{op}", "cust-2", 401, "UNAUTHORIZED"),
        ("/customer/cust-1/resend/otp/{op}", None, 401, "UNAUTHORIZED"),
    ],
)
async def test_bad_resend_requests_get_the_envelope_and_change_nothing(
    api: Api, path: str, token_customer: str | None, status: int, code: str
) -> None:
    operation_id, _ = await _challenge(api)
    before = await _otp_rows(api)
    headers = api.auth(token_customer) if token_customer else {}

    response = await api.client.post(path.format(op=operation_id), headers=headers)

    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert response.json()["errorSeverity"] == "ERROR"
    assert await _otp_rows(api) == before


async def test_a_completed_operation_cannot_be_resent(api: Api) -> None:
    operation_id, path = await _challenge(api)
    code = (await api.client.get(f"/sandbox/otp/{operation_id}")).json()["data"]["otp"]
    done = await api.client.post(
        path,
        json={"dateRange": PERIOD, "operationId": operation_id, "baasOTP": code},
        headers=api.auth(),
    )
    assert done.status_code == 200, done.text

    response = await api.client.post(
        f"/customer/cust-1/resend/otp/{operation_id}", headers=api.auth()
    )

    assert (response.status_code, response.json()["code"]) == (404, "OTP_OPERATION_NOT_FOUND")


async def test_the_resend_route_is_documented_as_the_spec_names_it(api: Api) -> None:
    schema = (await api.client.get("/schema/openapi.json")).json()

    operation = schema["paths"]["/customer/{customerId}/resend/otp/{operationId}"]["post"]
    assert operation["operationId"] == "resendOtp"
    assert {p["name"] for p in operation["parameters"]} == {"customerId", "operationId"}
