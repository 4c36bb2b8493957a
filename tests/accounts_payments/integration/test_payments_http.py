"""bankPaymentSchemes and the FX quote over HTTP on PostgreSQL, behind Toqio's JWT."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from accounts_payments.adapters.crypto.aes_gcm_cipher import AesGcmSecretCipher
from accounts_payments.adapters.fx.sandbox_fx_rates import SandboxFxRates
from accounts_payments.adapters.persistence import tables
from accounts_payments.adapters.persistence.beneficiary_repository import (
    SqlAlchemyBeneficiariesUnitOfWork,
)
from accounts_payments.adapters.providers.sandbox_bank import SandboxBank
from accounts_payments.application.payments.fx import QuoteFx
from accounts_payments.application.payments.schemes import GetBankPaymentSchemes
from accounts_payments.entrypoints.http.payments import payment_route_handlers
from building_blocks.outbox import Outbox
from building_blocks.webhooks import WebhookQueue
from tests.accounts_payments.integration.beneficiaries_app import seed
from tests.accounts_payments.integration.http_app import (
    ISSUER,
    HttpApi,
    fresh_database,
    http_client,
    jwt_app,
    sandbox_service,
)
from tests.support.jwt_issuer import ToqioJwtIssuer

pytestmark = pytest.mark.integration

SCHEMES = "/customers/cust-1/transactions/bankPaymentSchemes"
QUOTE = "/customers/cust-1/transactions/fx/quote"


@dataclass
class Api(HttpApi):
    our_iban: str
    payee_iban: str


@pytest.fixture(name="api")
async def payments_api(postgres_url: str) -> AsyncIterator[Api]:
    database = await fresh_database(postgres_url)
    cipher = AesGcmSecretCipher(os.urandom(32))
    outbox, webhooks = Outbox(tables.messaging), WebhookQueue(tables.webhooks)

    def uow() -> SqlAlchemyBeneficiariesUnitOfWork:
        return SqlAlchemyBeneficiariesUnitOfWork(
            database.sessions, outbox=outbox, webhooks=webhooks, cipher=cipher
        )

    bank = SandboxBank(database)
    _, payee_iban = await seed(database, uow, bank)
    async with uow() as work:
        ours = await work.accounts.get("cust-1", "acc-1")
    assert ours is not None
    assert ours.iban is not None
    use_cases: dict[str, object] = {
        "get_bank_payment_schemes": GetBankPaymentSchemes(uow),
        "quote_fx": QuoteFx(uow, SandboxFxRates()),
    }
    app = jwt_app(payment_route_handlers(), use_cases)
    async with http_client(app) as client:
        yield Api(client, database, ours.iban, payee_iban)
    await database.dispose()


def schemes_body(**beneficiary: Any) -> dict[str, Any]:
    fields = {"assetType": "eur", "iban": "DE89370400440532013000", "type": "COMPANY"}
    fields.update(beneficiary)
    return {
        "sourceAccountId": "acc-1",
        "amount": 10.5,
        "clientId": "cl-1",
        "isFxTransaction": False,
        "somethingNew": "tolerated",
        "beneficiary": {k: v for k, v in fields.items() if v is not None},
    }


def codes(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    envelope = response.json()
    assert envelope["code"] == "OK"
    return [scheme["code"] for scheme in envelope["data"]]


async def test_schemes_by_destination(api: Api) -> None:
    async def ask(**beneficiary: Any) -> list[str]:
        return codes(
            await api.client.post(SCHEMES, json=schemes_body(**beneficiary), headers=api.auth())
        )

    assert await ask() == ["SEPA", "SEPA_INSTANT"]
    assert await ask(iban=api.payee_iban) == ["SEPA", "SEPA_INSTANT"]  # another customer's
    assert await ask(iban=api.our_iban) == ["INTERNAL_TRANSFER"]
    assert await ask(
        assetType="GBP", iban=None, ukSortCode="60-16-13", ukAccountNumber="31926819"
    ) == ["UK_FASTER_PAYMENTS"]
    assert await ask(assetType="gbp", iban="GB29NWBK60161331926819") == ["UK_FASTER_PAYMENTS"]
    assert await ask(assetType="usd", iban=None, accountNumber="123456789") == ["SWIFT"]
    assert await ask(iban="BR1800360305000010009795493C1") == ["SWIFT"]


async def test_an_own_account_id_is_internal(api: Api) -> None:
    payload = schemes_body(iban=None, assetType="eur") | {"beneficiaryAccountId": "acc-1"}
    assert codes(await api.client.post(SCHEMES, json=payload, headers=api.auth())) == [
        "INTERNAL_TRANSFER"
    ]


async def test_quotes_both_ways_in_the_houses_favour(api: Api) -> None:
    sender = await api.client.put(
        QUOTE,
        json={"sourceCurrency": "EUR", "beneficiaryCurrency": "gbp", "fixedSide": "SENDER",
              "amount": 10.01},
        headers=api.auth(),
    )  # fmt: skip
    assert sender.status_code == 200, sender.text
    assert sender.json()["data"] == {
        "sourceCurrencyAmount": 10.01,
        "beneficiaryCurrencyAmount": 8.5,  # 8.5085 rounded down
        "beneficiaryCurrency": "gbp",
        "sourceCurrency": "eur",
        "fxRate": 0.85,
    }
    beneficiary = await api.client.put(
        QUOTE,
        json={"sourceCurrency": "eur", "beneficiaryCurrency": "gbp", "fixedSide": "beneficiary",
              "amount": "8.51"},
        headers=api.auth(),
    )  # fmt: skip
    assert beneficiary.status_code == 200, beneficiary.text
    data = beneficiary.json()["data"]
    assert (data["sourceCurrencyAmount"], data["beneficiaryCurrencyAmount"]) == (10.02, 8.51)


def quote_body(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "sourceCurrency": "eur",
        "beneficiaryCurrency": "gbp",
        "fixedSide": "SENDER",
        "amount": 100,
    }
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not None}


BAD_SCHEMES = [
    pytest.param({"beneficiary": None}, 400, "INVALID_REQUEST", id="missing-beneficiary"),
    pytest.param({"beneficiary": "x"}, 400, "INVALID_REQUEST", id="malformed-beneficiary"),
    pytest.param(
        {"beneficiary": {"iban": "DE89370400440532013000"}},
        400,
        "INVALID_REQUEST",
        id="missing-asset-type",
    ),
    pytest.param(
        {"beneficiary": {"assetType": "eur", "iban": "DE89370400440532013001"}},
        400,
        "INVALID_IBAN",
        id="invalid-iban",
    ),
    pytest.param(
        {"beneficiary": {"assetType": "gbp", "ukSortCode": "601613"}},
        400,
        "INVALID_REQUEST",
        id="sort-code-alone",
    ),
    pytest.param({"amount": 0}, 400, "INVALID_AMOUNT", id="zero-amount"),
    pytest.param({"amount": -3}, 400, "INVALID_AMOUNT", id="negative-amount"),
    pytest.param({"amount": 1.005}, 400, "INVALID_AMOUNT", id="too-many-decimals"),
    pytest.param({"amount": "ten"}, 400, "INVALID_REQUEST", id="malformed-amount"),
]


@pytest.mark.parametrize(("overrides", "status", "code"), BAD_SCHEMES)
async def test_bad_scheme_requests(
    api: Api, overrides: dict[str, Any], status: int, code: str
) -> None:
    payload = schemes_body() | overrides
    response = await api.client.post(
        SCHEMES, json={k: v for k, v in payload.items() if v is not None}, headers=api.auth()
    )
    assert_error(response, status, code)


BAD_QUOTES = [
    pytest.param({"amount": None}, 400, "INVALID_REQUEST", id="missing-amount"),
    pytest.param({"fixedSide": None}, 400, "INVALID_REQUEST", id="missing-fixed-side"),
    pytest.param({"fixedSide": "BOTH"}, 400, "INVALID_REQUEST", id="unknown-fixed-side"),
    pytest.param({"sourceCurrency": 12}, 400, "INVALID_REQUEST", id="malformed-currency"),
    pytest.param({"amount": 0}, 400, "INVALID_AMOUNT", id="zero"),
    pytest.param({"amount": -1}, 400, "INVALID_AMOUNT", id="negative"),
    pytest.param({"amount": 10.001}, 400, "INVALID_AMOUNT", id="too-many-decimals"),
    pytest.param({"amount": 0.01}, 400, "INVALID_AMOUNT", id="too-small-to-convert"),
    pytest.param({"beneficiaryCurrency": "EUR"}, 400, "INVALID_REQUEST", id="same-currency"),
    pytest.param({"beneficiaryCurrency": "jpy"}, 400, "FX_PAIR_NOT_SUPPORTED", id="unsupported"),
    pytest.param({"sourceCurrency": "xyz"}, 400, "INVALID_CURRENCY", id="not-a-currency"),
]


@pytest.mark.parametrize(("overrides", "status", "code"), BAD_QUOTES)
async def test_bad_quote_requests(
    api: Api, overrides: dict[str, Any], status: int, code: str
) -> None:
    response = await api.client.put(QUOTE, json=quote_body(**overrides), headers=api.auth())
    assert_error(response, status, code)


def assert_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    envelope = response.json()
    assert envelope["code"] == code
    assert envelope["errorSeverity"] == "ERROR"
    assert envelope["httpStatus"] == status
    assert envelope["errorOrigin"] == "accounts_payments"


async def test_unknown_customer_is_404(api: Api) -> None:
    headers = api.auth("cust-404")
    schemes = await api.client.post(
        SCHEMES.replace("cust-1", "cust-404"), json=schemes_body(), headers=headers
    )
    quote = await api.client.put(
        QUOTE.replace("cust-1", "cust-404"), json=quote_body(), headers=headers
    )
    assert_error(schemes, 404, "CUSTOMER_NOT_FOUND")
    assert_error(quote, 404, "CUSTOMER_NOT_FOUND")


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param({"Authorization": "Bearer not.a.jwt"}, id="garbage"),
        pytest.param({"Authorization": f"Bearer {ISSUER.issue('cust-1', iss='Evil')}"}, id="iss"),
        pytest.param({"Authorization": f"Bearer {ISSUER.issue('cust-2')}"}, id="other-customer"),
        pytest.param(
            {"Authorization": f"Bearer {ToqioJwtIssuer().issue('cust-1')}"}, id="other-key"
        ),
    ],
)
async def test_bad_or_foreign_tokens_are_401(api: Api, headers: dict[str, str]) -> None:
    responses = [
        await api.client.post(SCHEMES, json=schemes_body(), headers=headers),
        await api.client.put(QUOTE, json=quote_body(), headers=headers),
    ]
    for response in responses:
        assert_error(response, 401, response.json()["code"])
        assert response.json()["code"] == "UNAUTHORIZED"


async def test_the_service_serves_both_operations_behind_the_jwt(postgres_url: str) -> None:
    async with sandbox_service(postgres_url) as service:
        schema = (await service.client.get("/schema/openapi.json")).json()
        unauthenticated = await service.client.put(QUOTE, json=quote_body())
        unregistered = await service.client.post(
            SCHEMES, json=schemes_body(), headers=service.auth()
        )
    paths = schema["paths"]
    assert (
        paths["/customers/{customerId}/transactions/bankPaymentSchemes"]["post"]["operationId"]
        == "getBankPaymentSchemes"
    )
    quote = paths["/customers/{customerId}/transactions/fx/quote"]["put"]
    assert quote["operationId"] == "getQuoteForCurrencyPair"
    assert quote["tags"] == ["Transaction"]
    assert_error(unauthenticated, 401, "UNAUTHORIZED")
    assert_error(unregistered, 404, "CUSTOMER_NOT_FOUND")
