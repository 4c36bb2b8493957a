"""The processor's clearings and reversals over HTTP, the sandbox processor and the OpenAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cards.integration.processor_app import (
    HEADERS,
    Api,
    processor_api,
)

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path}/cards.db"


@pytest.fixture
async def api(database_url: str) -> AsyncIterator[Api]:
    async for made in processor_api(database_url):
        yield made


# Clearings and reversals --------------------------------------------------------------------


async def _settle(
    api: Api, path: str, authorization_id: str, amount: Any, pid: str
) -> httpx.Response:
    body = {"processorId": pid, "authorizationId": authorization_id, "amount": amount}
    return await api.client.post(f"/processor/{path}", json=body, headers=HEADERS)


async def test_a_clearing_posts_the_hold_once(api: Api) -> None:
    authorization_id = (await api.authorize("12.50")).json()["authorizationId"]

    response = await _settle(api, "clearings", authorization_id, 10.5, "clr-1")
    again = await _settle(api, "clearings", authorization_id, "10.50", "clr-1")

    assert response.status_code == again.status_code == 200
    assert response.json() == {
        "authorizationId": authorization_id,
        "processorId": "clr-1",
        "operation": "CLEARING",
        "amount": 10.5,
        "currency": "EUR",
        "status": "CLEARED",
        "openAmount": 0.0,
    }
    assert [(r.action, r.amount_minor) for r in await api.releases()] == [("POST", 1050)]


async def test_a_reused_clearing_id_with_another_amount_is_a_conflict(api: Api) -> None:
    authorization_id = (await api.authorize()).json()["authorizationId"]
    await _settle(api, "clearings", authorization_id, "1.00", "clr-1")

    response = await _settle(api, "clearings", authorization_id, "2.00", "clr-1")

    assert (response.status_code, response.json()["code"]) == (409, "OPERATION_MISMATCH")


async def test_a_clearing_of_an_unknown_authorization_is_not_found(api: Api) -> None:
    response = await _settle(api, "clearings", "no-such-authorization", "1.00", "clr-1")

    assert (response.status_code, response.json()["code"]) == (404, "AUTHORIZATION_NOT_FOUND")


async def test_a_full_reversal_voids_the_hold(api: Api) -> None:
    authorization_id = (await api.authorize("12.50")).json()["authorizationId"]

    response = await _settle(api, "reversals", authorization_id, "12.50", "rev-1")

    assert (response.status_code, response.json()["status"]) == (200, "REVERSED")
    assert [(r.action, r.amount_minor) for r in await api.releases()] == [("VOID", 1250)]


async def test_a_clearing_above_what_is_open_is_refused(api: Api) -> None:
    authorization_id = (await api.authorize("12.50")).json()["authorizationId"]

    response = await _settle(api, "clearings", authorization_id, "12.51", "clr-1")

    assert (response.status_code, response.json()["code"]) == (
        422,
        "CLEARING_EXCEEDS_AUTHORIZATION",
    )
    assert await api.releases() == []


# Sandbox and OpenAPI ------------------------------------------------------------------------


async def test_the_sandbox_processor_is_mounted_only_when_enabled(api: Api, tmp_path: Path) -> None:
    closed = await api.client.post("/sandbox/cards/card-1/purchases", json={})
    assert closed.status_code == 404

    async for sandbox in processor_api(f"sqlite:///{tmp_path}/sandbox.db", sandbox=True):
        bought = await sandbox.client.post(
            "/sandbox/cards/card-1/purchases", json={"amount": "3.20", "currency": "EUR"}
        )
        data = bought.json()["data"]
        assert (bought.status_code, data["decision"]) == (200, "APPROVED")
        assert data["processorId"].startswith("sandbox-")
        path = f"/sandbox/authorizations/{data['authorizationId']}"
        reversed_ = await sandbox.client.post(f"{path}/reversals", json={"amount": "1.20"})
        cleared = await sandbox.client.post(f"{path}/clearings", json={"amount": "2.00"})
        assert reversed_.json()["data"]["openAmount"] == 2.0
        assert cleared.json()["data"]["status"] == "CLEARED"


async def test_the_openapi_document_names_every_processor_operation(api: Api) -> None:
    document = (await api.client.get("/schema/openapi.json")).json()

    operations = {
        (path, method): operation["operationId"]
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        if path.startswith("/processor")
    }
    assert operations == {
        ("/processor/authorizations", "post"): "processorAuthorize",
        ("/processor/advices", "post"): "processorAdvise",
        ("/processor/clearings", "post"): "processorClear",
        ("/processor/reversals", "post"): "processorReverse",
    }
