"""Bad input on the customer endpoints: the contract's envelope and code, and nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.accounts_payments.integration.customers_app import (
    Env,
    env,
    product,
    register,
    registration,
)
from tests.accounts_payments.integration.http_app import ISSUER

pytestmark = pytest.mark.integration

__all__ = ["env"]

CUSTOMER_GETS = [
    "/customers/{c}",
    "/customers/{c}/connectionStatus",
    "/customers/{c}/capability",
    "/customers/{c}/partnerProducts",
    "/customers/{c}/assetTypes",
    "/customers/{c}/currencies",
]


async def assert_rejected(
    env: Env, method: str, url: str, status: int, code: str, **kwargs: Any
) -> dict[str, Any]:
    before = await env.rows()
    response = await env.client.request(method, url, **kwargs)
    body: dict[str, Any] = response.json()
    assert response.status_code == status, response.text
    assert body["code"] == code
    assert body["httpStatus"] == status
    assert body["errorSeverity"] == "ERROR"
    assert body["errorOrigin"] == "accounts_payments"
    assert "Traceback" not in response.text
    assert await env.rows() == before
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (registration(id=None), "id"),
        (registration(apiKey=None), "apiKey"),
        (registration(id=42), "id"),
        (registration(id=""), "id"),
        (registration(apiKey=""), "apiKey"),
        (registration(id="has spaces"), "id"),
        (registration(availableCurrencies="EUR"), "availableCurrencies"),
        (registration(paymentProvider={"key": 7}), "paymentProvider.key"),
    ],
)
async def test_a_malformed_registration_is_invalid_request(
    env: Env, body: dict[str, Any], field: str
) -> None:
    # A token without a customerID claim, so only the body decides the answer.
    answer = await assert_rejected(
        env, "POST", "/customers", 400, "INVALID_REQUEST", json=body, headers=env.auth(None)
    )

    assert field in {problem["field"] for problem in answer["data"]}


async def test_a_body_that_is_not_json_is_invalid_request(env: Env) -> None:
    headers = env.auth() | {"Content-Type": "application/json"}

    await assert_rejected(
        env, "POST", "/customers", 400, "INVALID_REQUEST", content=b"{not json", headers=headers
    )


@pytest.mark.parametrize("currency", ["xyz", "gold", "points", "EURO"])
async def test_an_unsupported_currency_is_invalid_currency(env: Env, currency: str) -> None:
    body = registration(availableCurrencies=["eur", currency])

    answer = await assert_rejected(
        env, "POST", "/customers", 400, "INVALID_CURRENCY", json=body, headers=env.auth()
    )

    assert answer["data"][0]["field"] == "availableCurrencies[1]"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic abc"},
        {"Authorization": f"Bearer {ISSUER.expired()}"},
        {"Authorization": f"Bearer {ISSUER.alg_none()}"},
        {"Authorization": f"Bearer {ISSUER.hmac_with_public_key()}"},
        {"Authorization": f"Bearer {ISSUER.signed_by_other_key()}"},
        {"Authorization": f"Bearer {ISSUER.wrong_issuer()}"},
        {"Authorization": f"Bearer {ISSUER.issue('cust-2')}"},
    ],
)
async def test_registering_without_a_valid_token_for_that_customer_is_unauthorized(
    env: Env, headers: dict[str, str]
) -> None:
    await assert_rejected(
        env, "POST", "/customers", 401, "UNAUTHORIZED", json=registration(), headers=headers
    )


@pytest.mark.parametrize("path", [*CUSTOMER_GETS, "/customers/{c}/products/changes"])
async def test_a_token_for_another_customer_is_unauthorized(env: Env, path: str) -> None:
    await register(env)
    method = "POST" if path.endswith("changes") else "GET"

    await assert_rejected(
        env,
        method,
        path.format(c="cust-1"),
        401,
        "UNAUTHORIZED",
        json={"products": [product("p-1")]},
        headers=env.auth("cust-2"),
    )


@pytest.mark.parametrize("path", [*CUSTOMER_GETS, "/partnerProducts"])
async def test_a_missing_token_is_unauthorized(env: Env, path: str) -> None:
    await assert_rejected(env, "GET", path.format(c="cust-1"), 401, "UNAUTHORIZED")


@pytest.mark.parametrize("path", CUSTOMER_GETS)
async def test_an_unknown_customer_is_customer_not_found(env: Env, path: str) -> None:
    await register(env)

    answer = await assert_rejected(
        env, "GET", path.format(c="nobody"), 404, "CUSTOMER_NOT_FOUND", headers=env.auth("nobody")
    )

    assert "nobody" in answer["message"]


async def test_product_changes_for_an_unknown_customer_are_customer_not_found(env: Env) -> None:
    body = {"products": [product("p-1", customerId="nobody")]}

    await assert_rejected(
        env,
        "POST",
        "/customers/nobody/products/changes",
        404,
        "CUSTOMER_NOT_FOUND",
        json=body,
        headers=env.auth("nobody"),
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "products"),
        ({"products": [product("p-1", id=None)]}, "products[0].id"),
        ({"products": [product("p-1", visible="yes")]}, "products[0].visible"),
        ({"products": [product("p-1", name=None)]}, "products[0].name"),
        ({"products": [product("p-1", customerId="cust-2")]}, "products[0].customerId"),
        ({"products": [product("p-1"), product("p-1")]}, "products[1].id"),
        ({"products": [product("p-1")], "deleteProductIds": ["p-1"]}, "deleteProductIds"),
        ({"deleteProductIds": [""]}, "deleteProductIds[0]"),
        ({"products": "p-1"}, "products"),
    ],
)
async def test_invalid_product_changes_are_invalid_request(
    env: Env, body: dict[str, Any], field: str
) -> None:
    await register(env)
    await env.client.post(
        "/customers/cust-1/products/changes",
        json={"products": [product("keep")]},
        headers=env.auth(),
    )
    answer = await assert_rejected(
        env,
        "POST",
        "/customers/cust-1/products/changes",
        400,
        "INVALID_REQUEST",
        json=body,
        headers=env.auth(),
    )

    assert any(problem["field"].startswith(field) for problem in answer["data"]), answer


@pytest.mark.parametrize("country", ["GBR", "1"])
async def test_a_malformed_country_filter_is_invalid_request(env: Env, country: str) -> None:
    await register(env)

    await assert_rejected(
        env,
        "GET",
        "/customers/cust-1/partnerProducts",
        400,
        "INVALID_REQUEST",
        params={"countryCode": country},
        headers=env.auth(),
    )
