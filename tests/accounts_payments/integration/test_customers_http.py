"""Customer, capability and product endpoints on a real app, PostgreSQL and Toqio JWTs."""

from __future__ import annotations

import pytest

from accounts_payments.adapters.persistence.customer_repository import (
    SqlAlchemyCustomerRepository,
)
from tests.accounts_payments.integration.customers_app import (
    API_KEY,
    HMAC_KEY,
    PROVIDER_KEY,
    Env,
    env,
    product,
    register,
)

pytestmark = pytest.mark.integration

__all__ = ["env"]


async def test_registering_answers_the_customer_with_masked_secrets(env: Env) -> None:
    body = await register(env)

    assert body["code"] == "OK"
    assert body["httpStatus"] == 200
    assert body["requestId"]
    assert body["data"] == {
        "id": "cust-1",
        "apiKey": "****" + API_KEY[-4:],
        "provider": "fakebank",
        "paymentProvider": {
            "paymentProviderType": "X",
            "key": "****" + PROVIDER_KEY[-4:],
            "hmacKey": "****" + HMAC_KEY[-4:],
        },
        "commercialName": "Acme",
        "availableCurrencies": ["eur", "gbp"],
    }


async def test_secrets_are_stored_only_encrypted_and_bound_to_their_row(env: Env) -> None:
    await register(env)

    (row,) = (await env.rows())["customers"]
    stored = repr(row).encode()
    for secret in (API_KEY, HMAC_KEY, PROVIDER_KEY):
        assert secret.encode() not in stored
    async with env.database.sessions() as session:
        customer = await SqlAlchemyCustomerRepository(session, env.cipher).get("cust-1")
    assert customer is not None
    assert customer.api_key.reveal() == API_KEY


async def test_re_registering_replaces_the_customer(env: Env) -> None:
    await register(env)
    body = await register(env, commercialName="Acme 2", availableCurrencies=["usd"])

    assert body["data"]["commercialName"] == "Acme 2"
    (row,) = (await env.rows())["customers"]
    assert row.commercial_name == "Acme 2"
    assert row.available_currencies == ["USD"]


async def test_a_registered_customer_is_found_without_its_secrets(env: Env) -> None:
    await register(env, paymentProvider=None, provider=None)

    response = await env.client.get("/customers/cust-1", headers=env.auth())

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["apiKey"] == "****" + API_KEY[-4:]
    assert data["provider"] == "fakebank"
    assert data["paymentProvider"] is None
    assert API_KEY not in response.text


async def test_connection_status_asks_the_provider(env: Env) -> None:
    await register(env)
    connected = await env.client.get("/customers/cust-1/connectionStatus", headers=env.auth())
    env.provider.answers = ConnectionError("bank down")
    failed = await env.client.get("/customers/cust-1/connectionStatus", headers=env.auth())

    assert connected.json()["data"] == "CONNECTED"
    assert failed.status_code == 200
    assert failed.json()["data"] == "FAILED"


async def test_capability_reports_the_provider_flags(env: Env) -> None:
    await register(env)

    response = await env.client.get("/customers/cust-1/capability", headers=env.auth())

    data = response.json()["data"]
    assert response.status_code == 200
    assert len(data) == 17
    assert data["hasOwnOTP"] is True
    assert data["hasToCreateEndUserKYC"] is False
    assert data["allowSixMonthsStatements"] is True
    assert data["canRetrievePan"] is False


async def test_partner_products_asset_types_and_currencies(env: Env) -> None:
    await register(env, availableCurrencies=["eur", "usd"])
    auth = env.auth()

    mine = await env.client.get("/customers/cust-1/partnerProducts", headers=auth)
    in_gb = await env.client.get(
        "/customers/cust-1/partnerProducts",
        params={"countryCode": "es", "clientId": "m-1"},
        headers=auth,
    )
    everything = await env.client.get("/partnerProducts", headers=env.auth(None))
    asset_types = await env.client.get("/customers/cust-1/assetTypes", headers=auth)
    currencies = await env.client.get("/customers/cust-1/currencies", headers=auth)

    (euro,) = mine.json()["data"]
    assert euro["code"] == "EUR"
    assert euro["assetType"] == "eur"
    assert euro["assetTypes"] == ["eur"]
    assert euro["label"]["en"] == "Euro account"
    assert "SEPA" in euro["schemes"]
    assert euro["holderBank"] == "fakebank"
    assert [p["code"] for p in in_gb.json()["data"]] == ["EUR"]
    assert [p["code"] for p in everything.json()["data"]] == ["EUR", "GBP"]
    assert asset_types.json()["data"] == ["eur"]
    assert currencies.json()["data"] == ["eur", "usd"]


async def test_product_changes_are_idempotent_upserts_and_deletions(env: Env) -> None:
    await register(env)
    url = "/customers/cust-1/products/changes"
    first = {"products": [product("p-1"), product("p-2")]}
    second = {"products": [product("p-2", visible=False)], "deleteProductIds": ["p-1", "gone"]}

    answers = [
        await env.client.post(url, json=body, headers=env.auth())
        for body in (first, second, second)
    ]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[0].json()["code"] == "OK"
    assert answers[0].json()["data"] is None
    rows = {row.product_id: row for row in (await env.rows())["customer_products"]}
    assert set(rows) == {"p-1", "p-2"}
    assert rows["p-1"].deleted
    assert not rows["p-2"].deleted
    assert not rows["p-2"].visible
    assert rows["p-2"].name == {"en": "Current account", "es": "Cuenta corriente"} | dict.fromkeys(
        ("de", "it", "zh", "pt")
    )


async def test_operations_carry_the_spec_operation_ids(env: Env) -> None:
    schema = (await env.client.get("/schema/openapi.json")).json()

    operations = {
        (path, method): op["operationId"]
        for path, item in schema["paths"].items()
        for method, op in item.items()
    }
    assert operations == {
        ("/customers", "post"): "createCustomer",
        ("/customers/{customerId}", "get"): "findCustomer",
        ("/customers/{customerId}/connectionStatus", "get"): "getCustomerConnectionStatus",
        ("/customers/{customerId}/capability", "get"): "getCapabilities",
        ("/customers/{customerId}/partnerProducts", "get"): "getPartnerProducts",
        ("/customers/{customerId}/assetTypes", "get"): "getAssetTypes",
        ("/customers/{customerId}/currencies", "get"): "getBillingCurrencies",
        ("/customers/{customerId}/products/changes", "post"): "notifyProductChanges",
        ("/partnerProducts", "get"): "getProviderPartnerProducts",
    } | {k: v for k, v in operations.items() if k[0].startswith("/health") or "metrics" in k[0]}


async def test_the_repository_serves_the_directory_and_lists_products(env: Env) -> None:
    await register(env, paymentProvider=None, availableCurrencies=["gbp"])
    await env.client.post(
        "/customers/cust-1/products/changes",
        json={"products": [product("p-2", description={"en": "Daily"}), product("p-1")]},
        headers=env.auth(),
    )
    async with env.database.sessions() as session, session.begin():
        repository = SqlAlchemyCustomerRepository(session, env.cipher)
        await repository.upsert_products("cust-1", [])
        await repository.delete_products("cust-1", [])
        await repository.delete_products("cust-1", ["p-2"])
        view = await repository.find("cust-1")
        missing = await repository.find("nobody")
        customer = await repository.get("cust-1")
        live = await repository.products("cust-1")
        every = await repository.products("cust-1", include_deleted=True)

    assert view is not None
    assert (view.customer_id, view.provider, view.available_currencies) == (
        "cust-1",
        "fakebank",
        ("GBP",),
    )
    assert missing is None
    assert customer is not None
    assert customer.payment_provider is None
    assert [p.product_id for p in live] == ["p-1"]
    assert [(p.product_id, p.deleted) for p in every] == [("p-1", False), ("p-2", True)]
    assert every[1].description is not None
    assert every[1].description.en == "Daily"
    assert every[0].description is None
    assert every[0].name.es == "Cuenta corriente"
