"""The success envelopes, both dialects, and the OpenAPI document they produce."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from litestar import Controller, Response, get, post
from litestar.params import FromPath
from litestar.testing import TestClient

from building_blocks.web.app_factory import create_app
from building_blocks.web.envelopes import CardOk, EnvelopeStyle, Ok, card_ok, ok
from building_blocks.web.schema import CamelStruct

pytestmark = pytest.mark.unit

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class AccountOut(CamelStruct, frozen=True, kw_only=True):
    account_id: str
    asset_type: str


class AccountController(Controller):
    path = "/customers/{customerId:str}/accounts"
    tags = ["Accounts"]

    @get("/{accountId:str}", operation_id="getAccount")
    async def get_account(self, accountId: FromPath[str]) -> Response[Ok[AccountOut]]:  # noqa: N803
        return ok(AccountOut(account_id=accountId, asset_type="eur"))

    @post("/", operation_id="createAccount", status_code=201)
    async def create_account(self) -> Response[Ok[AccountOut]]:
        return ok(AccountOut(account_id="a-1", asset_type="eur"), status=201)


class CardController(Controller):
    path = "/customers/{customerId:str}/cards"
    tags = ["Cards"]

    @get("/{cardId:str}/image/url", operation_id="getCardImageUrl")
    async def image_url(self, cardId: FromPath[str]) -> Response[CardOk[str]]:  # noqa: N803
        return card_ok(f"https://cdn.example/{cardId}.png", message="Card image URL retrieved")


async def _ready() -> bool:
    return True


def test_a_success_answer_is_wrapped_in_the_integration_hub_envelope() -> None:
    app = create_app(service="accounts", route_handlers=[AccountController], readiness={})
    with TestClient(app) as client:
        response = client.get("/customers/c-1/accounts/a-9")

    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"accountId": "a-9", "assetType": "eur"}
    assert body["code"] == "OK"
    assert body["errorSeverity"] == "NONE"
    assert body["message"] == "Ok"
    assert body["httpStatus"] == 200
    assert UUID.match(body["requestId"])
    assert body["requestId"] == response.headers["x-request-id"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["date"])
    assert "errorOrigin" not in body


def test_the_envelope_status_matches_the_http_status() -> None:
    app = create_app(service="accounts", route_handlers=[AccountController], readiness={})
    with TestClient(app) as client:
        response = client.post("/customers/c-1/accounts")

    assert response.status_code == 201
    assert response.json()["httpStatus"] == 201


def test_a_card_answer_uses_epoch_millis_and_the_status_as_code() -> None:
    app = create_app(
        service="cards",
        route_handlers=[CardController],
        readiness={"db": _ready},
        envelope_style=EnvelopeStyle.CARD,
    )
    with TestClient(app) as client:
        body = client.get("/customers/c-1/cards/k-1/image/url").json()

    assert body["data"] == "https://cdn.example/k-1.png"
    assert body["code"] == "200"
    assert body["message"] == "Card image URL retrieved"
    assert isinstance(body["date"], int)
    assert abs(body["date"] / 1000 - datetime.now().timestamp()) < 60
    assert "errorSeverity" not in body


def test_a_card_app_renders_errors_with_epoch_millis() -> None:
    app = create_app(
        service="cards",
        route_handlers=[CardController],
        readiness={},
        envelope_style=EnvelopeStyle.CARD,
    )
    with TestClient(app) as client:
        body = client.get("/nowhere").json()

    assert body["code"] == "NOT_FOUND"
    assert isinstance(body["date"], int)
    assert body["errorOrigin"] == "cards"


def test_the_openapi_document_is_served_with_the_service_title_and_data_types() -> None:
    app = create_app(
        service="accounts-payments",
        route_handlers=[AccountController],
        readiness={},
        version="1.2.3",
    )
    with TestClient(app) as client:
        response = client.get("/schema/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["info"] == {"title": "accounts-payments", "version": "1.2.3"}
    operation = document["paths"]["/customers/{customerId}/accounts/{accountId}"]["get"]
    assert operation["operationId"] == "getAccount"
    reference = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    envelope = document["components"]["schemas"][reference.rsplit("/", 1)[1]]
    assert envelope["properties"]["data"]["$ref"].endswith("AccountOut")
    assert "/health/live" not in document["paths"]
    assert "/metrics" not in document["paths"]
