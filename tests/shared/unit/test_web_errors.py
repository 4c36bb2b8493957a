"""Every failure becomes Toqio's error envelope: domain errors, bad input, routing, surprises."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
import pytest
from litestar import Controller, Response, get, post
from litestar.exceptions import ServiceUnavailableException
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.testing import TestClient

from building_blocks.auth.errors import AuthenticationFailed, Forbidden
from building_blocks.web.app_factory import create_app
from building_blocks.web.envelopes import Ok, ok
from building_blocks.web.exception_handlers import STATUS_BY_ERROR, status_for
from building_blocks.web.schema import CamelStruct
from shared_kernel.domain.errors import (
    Conflict,
    DomainError,
    FieldProblem,
    InvalidInput,
    NotFound,
    NotImplementedByProvider,
    RuleViolated,
)

pytestmark = pytest.mark.unit


class LineIn(CamelStruct, frozen=True, kw_only=True):
    product_id: str


class PaymentIn(CamelStruct, frozen=True, kw_only=True):
    transaction_id: str
    amount_minor: Annotated[int, msgspec.Meta(ge=1)]
    lines: list[LineIn] = []


class OtpRequired(RuleViolated):
    default_code = "OTP_REQUIRED"

    def __init__(self) -> None:
        super().__init__("An OTP is required")
        self.data = {"operationId": "op-1", "resend": True}


ERRORS: dict[str, DomainError] = {
    "not-found": NotFound("Customer c-1 does not exist", code="CUSTOMER_NOT_FOUND"),
    "conflict": Conflict("Already exists"),
    "rule": RuleViolated("Insufficient funds", code="INSUFFICIENT_FUNDS"),
    "invalid": InvalidInput(
        "Bad IBAN", problems=(FieldProblem("iban", "INVALID_IBAN", "Not an IBAN"),)
    ),
    "not-implemented": NotImplementedByProvider("Not supported by the provider"),
    "unauthenticated": AuthenticationFailed("No token"),
    "forbidden": Forbidden("Not yours"),
    "otp": OtpRequired(),
    "plain": DomainError("Something expected"),
}


class PaymentController(Controller):
    path = "/payments"
    tags = ["Payments"]

    @post("/", operation_id="createPayment", status_code=200)
    async def create(
        self,
        data: JSONBody[PaymentIn],
        page_size: Annotated[int, QueryParameter(name="pageSize", ge=1)] = 10,
    ) -> Response[Ok[str]]:
        return ok(data.transaction_id)

    @get("/{kind:str}/fail", operation_id="failPayment")
    async def fail(self, kind: FromPath[str]) -> None:
        raise ERRORS[kind]

    @get("/boom", operation_id="explode")
    async def boom(self) -> None:
        raise RuntimeError("secret detail: db password=hunter2")

    @get("/unavailable", operation_id="unavailable")
    async def unavailable(self) -> None:
        raise ServiceUnavailableException("provider down: internal host 10.0.0.1")

    @get("/decode", operation_id="decodeItself")
    async def decode(self) -> None:
        msgspec.json.decode(b'{"transactionId": 1}', type=PaymentIn)

    @get("/items/{number:int}", operation_id="getNumbered")
    async def numbered(self, number: FromPath[int]) -> None:
        return None


@pytest.fixture
def client() -> Any:
    app = create_app(service="accounts_payments", route_handlers=[PaymentController], readiness={})
    with TestClient(app) as test_client:
        yield test_client


def _assert_error_envelope(body: dict[str, Any], *, status: int, code: str) -> None:
    assert body["code"] == code
    assert body["httpStatus"] == status
    assert body["errorSeverity"] == "ERROR"
    assert body["errorOrigin"] == "accounts_payments"
    assert body["requestId"]
    assert body["date"].endswith("Z")
    assert isinstance(body["message"], str)
    assert set(body) == {
        "data", "code", "errorSeverity", "message", "httpStatus", "requestId", "date", "errorOrigin"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("not-found", 404, "CUSTOMER_NOT_FOUND"),
        ("conflict", 409, "CONFLICT"),
        ("rule", 422, "INSUFFICIENT_FUNDS"),
        ("invalid", 400, "INVALID_INPUT"),
        ("not-implemented", 501, "FUNCTION_NOT_IMPLEMENTED_YET"),
        ("unauthenticated", 401, "UNAUTHORIZED"),
        ("forbidden", 403, "FORBIDDEN"),
        ("otp", 422, "OTP_REQUIRED"),
        ("plain", 400, "ERROR"),
    ],
)
def test_each_domain_error_maps_to_its_status_and_code(
    client: Any, kind: str, status: int, code: str
) -> None:
    response = client.get(f"/payments/{kind}/fail")

    assert response.status_code == status
    _assert_error_envelope(response.json(), status=status, code=code)
    assert response.json()["message"] == ERRORS[kind].message


def test_field_problems_of_a_domain_error_are_listed(client: Any) -> None:
    body = client.get("/payments/invalid/fail").json()

    assert body["data"] == [{"field": "iban", "code": "INVALID_IBAN", "message": "Not an IBAN"}]


def test_an_error_carrying_a_data_mapping_sends_it_as_data(client: Any) -> None:
    body = client.get("/payments/otp/fail").json()

    assert body["data"] == {"operationId": "op-1", "resend": True}


def test_a_registered_subclass_status_wins_over_its_parent() -> None:
    class Gone(NotFound):
        pass

    STATUS_BY_ERROR[Gone] = 410
    try:
        assert status_for(Gone("gone")) == 410
        assert status_for(NotFound("missing")) == 404
    finally:
        del STATUS_BY_ERROR[Gone]


@pytest.mark.parametrize(
    ("request_kwargs", "field", "field_code"),
    [
        ({"json": {"transactionId": "t-1"}}, "amountMinor", "REQUIRED"),
        ({"json": {"transactionId": "t-1", "amountMinor": "ten"}}, "amountMinor", "INVALID_TYPE"),
        ({"json": {"transactionId": "t-1", "amountMinor": 0}}, "amountMinor", "INVALID_VALUE"),
        (
            {"json": {"transactionId": "t", "amountMinor": 1, "lines": [{}]}},
            "lines[0].productId",
            "REQUIRED",
        ),
        ({"content": b'{"transactionId": '}, "body", "MALFORMED_JSON"),
        ({"content": b""}, "body", "REQUIRED"),
        ({"json": [1, 2]}, "body", "INVALID_TYPE"),
        (
            {"json": {"transactionId": "t-1", "amountMinor": 1}, "params": {"pageSize": "x"}},
            "pageSize",
            "INVALID_TYPE",
        ),
        (
            {"json": {"transactionId": "t-1", "amountMinor": 1}, "params": {"pageSize": "0"}},
            "pageSize",
            "INVALID_VALUE",
        ),
    ],
)
def test_invalid_input_is_a_400_envelope_naming_the_field(
    client: Any, request_kwargs: dict[str, Any], field: str, field_code: str
) -> None:
    response = client.post("/payments", **request_kwargs)

    assert response.status_code == 400
    body = response.json()
    _assert_error_envelope(body, status=400, code="INVALID_REQUEST")
    assert [(p["field"], p["code"]) for p in body["data"]] == [(field, field_code)]
    assert "Traceback" not in response.text


def test_unknown_request_fields_are_tolerated(client: Any) -> None:
    response = client.post(
        "/payments", json={"transactionId": "t-1", "amountMinor": 5, "somethingNew": {"a": 1}}
    )

    assert response.status_code == 200
    assert response.json()["data"] == "t-1"


def test_a_missing_required_query_parameter_is_named() -> None:
    class Listing(Controller):
        path = "/list"

        @get("/", operation_id="listThings")
        async def listing(self, page: Annotated[int, QueryParameter(name="pageNumber")]) -> None:
            return None

    app = create_app(service="accounts_payments", route_handlers=[Listing], readiness={})
    with TestClient(app) as test_client:
        body = test_client.get("/list").json()

    assert body["code"] == "INVALID_REQUEST"
    assert body["data"][0]["field"] == "pageNumber"


def test_a_path_value_of_the_wrong_type_is_a_400(client: Any) -> None:
    response = client.get("/payments/items/abc")

    assert response.status_code == 400
    _assert_error_envelope(response.json(), status=400, code="INVALID_REQUEST")


def test_a_payload_a_handler_decodes_itself_is_a_400(client: Any) -> None:
    body = client.get("/payments/decode").json()

    assert body["code"] == "INVALID_REQUEST"
    assert body["data"][0]["field"] == "transactionId"


def test_an_unknown_route_is_a_404_envelope(client: Any) -> None:
    response = client.get("/no/such/route")

    assert response.status_code == 404
    _assert_error_envelope(response.json(), status=404, code="NOT_FOUND")


def test_a_wrong_method_is_a_405_envelope(client: Any) -> None:
    response = client.delete("/payments")

    assert response.status_code == 405
    _assert_error_envelope(response.json(), status=405, code="METHOD_NOT_ALLOWED")
    assert "POST" in response.headers["allow"]


def test_an_unexpected_exception_is_a_generic_500_without_details(client: Any) -> None:
    response = client.get("/payments/boom")

    assert response.status_code == 500
    body = response.json()
    _assert_error_envelope(body, status=500, code="INTERNAL_SERVER_ERROR")
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert "Traceback" not in response.text


def test_a_deliberate_5xx_keeps_its_status_but_not_its_detail(client: Any) -> None:
    response = client.get("/payments/unavailable")

    assert response.status_code == 503
    _assert_error_envelope(response.json(), status=503, code="SERVICE_UNAVAILABLE")
    assert "10.0.0.1" not in response.text


class BankTimedOut(InvalidInput):
    default_code = "PROVIDER_TIMEOUT"


def test_a_service_can_give_its_own_errors_their_status_and_the_most_specific_class_wins() -> None:
    @get("/bank", sync_to_thread=False)
    def bank() -> None:
        raise BankTimedOut("The bank did not answer in time")

    app = create_app(
        service="accounts_payments",
        route_handlers=[bank],
        readiness={},
        error_statuses={BankTimedOut: 503},
    )
    with TestClient(app) as client:
        response = client.get("/bank")
    assert response.status_code == 503
    assert response.json()["code"] == "PROVIDER_TIMEOUT"
    assert response.json()["message"] == "The bank did not answer in time"
    assert status_for(BankTimedOut("x")) == 400, "without the mapping it is plain bad input"
