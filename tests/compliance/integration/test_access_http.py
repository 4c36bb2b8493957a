"""Who may call compliance, over HTTP on PostgreSQL: the admin token and customers' API keys."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from building_blocks.persistence import Database
from building_blocks.settings import Secret
from compliance.adapters.persistence.access_tables import api_keys, reviewers
from tests.compliance.access_wiring import (
    ADMIN,
    ADMIN_TOKEN,
    PASSWORD,
    Api,
    fresh_database,
    open_api,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def database(postgres_url: str) -> AsyncIterator[Database]:
    database = await fresh_database(postgres_url)
    yield database
    await database.dispose()


@pytest.fixture
async def api(database: Database) -> AsyncIterator[Api]:
    async with open_api(database, Secret(ADMIN_TOKEN)) as api:
        yield api


async def test_a_new_api_key_is_shown_once_and_stored_only_as_a_hash(api: Api) -> None:
    response = await api.client.post(
        "/admin/api-keys", json={"customerId": "cust-1"}, headers=ADMIN
    )

    assert response.status_code == 201
    assert response.headers["cache-control"] == "no-store"
    data = response.json()["data"]
    assert set(data) == {"keyId", "customerId", "apiKey", "createdAt"}
    assert data["customerId"] == "cust-1"
    [row] = await api.rows(api_keys)
    assert row["key_id"] == data["keyId"]
    assert row["revoked_at"] is None
    assert data["apiKey"] not in repr(row)
    assert data["apiKey"].split("_", 2)[2] not in repr(row)


async def test_an_api_key_authenticates_its_customer_until_revoked(api: Api) -> None:
    key = await api.new_key("cust-7")
    presented = {"X-Api-Key": key["apiKey"]}

    allowed = await api.client.get("/test/customer", headers=presented)
    revoked = await api.client.delete(f"/admin/api-keys/{key['keyId']}", headers=ADMIN)
    refused = await api.client.get("/test/customer", headers=presented)
    again = await api.client.delete(f"/admin/api-keys/{key['keyId']}", headers=ADMIN)

    assert (allowed.status_code, allowed.json()["data"]) == (200, "cust-7")
    assert revoked.status_code == 200
    assert "apiKey" not in revoked.json()["data"]
    assert revoked.json()["data"]["revokedAt"] is not None
    assert refused.status_code == 401
    assert refused.json()["code"] == "UNAUTHORIZED"
    assert again.status_code == 200
    assert again.json()["data"]["revokedAt"] == revoked.json()["data"]["revokedAt"]


@pytest.mark.parametrize("headers", [{}, {"X-Api-Key": "tq_0123456789abcdef_nope"}])
async def test_calls_without_a_valid_api_key_are_refused(api: Api, headers: dict[str, str]) -> None:
    await api.new_key()

    response = await api.client.get("/test/customer", headers=headers)

    assert response.status_code == 401
    assert response.json()["errorOrigin"] == "compliance"


async def test_revoking_an_unknown_key_is_not_found(api: Api) -> None:
    response = await api.client.delete("/admin/api-keys/0123456789abcdef", headers=ADMIN)

    assert response.status_code == 404
    assert response.json()["code"] == "API_KEY_NOT_FOUND"


ADMIN_CALLS = [
    ("POST", "/admin/api-keys", {"customerId": "cust-1"}),
    ("POST", "/admin/reviewers", {"username": "eve", "password": PASSWORD, "role": "REVIEWER"}),
    ("DELETE", "/admin/api-keys/0123456789abcdef", None),
]
WRONG_ADMIN_HEADERS = [
    {},
    {"Authorization": "Bearer "},
    {"Authorization": "Bearer wrong"},
    {"Authorization": f"Bearer {ADMIN_TOKEN}x"},
    {"Authorization": f"Basic {ADMIN_TOKEN}"},
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
async def test_admin_calls_without_the_admin_token_are_refused_and_change_nothing(
    api: Api, method: str, path: str, body: Any
) -> None:
    for headers in WRONG_ADMIN_HEADERS:
        response = await api.client.request(method, path, json=body, headers=headers)

        assert response.status_code == 401, headers
        assert response.json()["httpStatus"] == 401
    assert await api.rows(api_keys) == []
    assert await api.rows(reviewers) == []


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
async def test_admin_calls_are_refused_when_no_admin_token_is_configured(
    database: Database, method: str, path: str, body: Any
) -> None:
    async with open_api(database, None) as api:
        response = await api.client.request(method, path, json=body, headers=ADMIN)

        assert response.status_code == 401
        assert "COMPLIANCE_ADMIN_TOKEN is not configured" in response.json()["message"]
        assert await api.rows(api_keys) == []
        assert await api.rows(reviewers) == []
