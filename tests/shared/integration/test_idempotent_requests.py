"""A POST with an Idempotency-Key runs once: retries replay its answer, declines included."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody
from litestar.testing import AsyncTestClient

from building_blocks.idempotency import Claim, IdempotencyStore, fingerprint, idempotency_tables
from building_blocks.persistence import Database, service_metadata
from building_blocks.web import (
    IDEMPOTENCY_KEY_HEADER,
    REPLAYED_HEADER,
    CamelStruct,
    Ok,
    create_app,
    ok,
    run_idempotently,
    toqio_error_renderer,
)
from shared_kernel.domain.errors import DomainError, FieldProblem, InvalidInput, RuleViolated

pytestmark = pytest.mark.integration

SCHEMA = "idem_http_test"
SERVICE = "accounts_payments"
SCOPE = "transfers:customer-1"
metadata = service_metadata(SCHEMA)
table = idempotency_tables(metadata)


class TransferIn(CamelStruct, frozen=True, kw_only=True):
    amount: Decimal
    reference: str


class TransferOut(CamelStruct, frozen=True, kw_only=True):
    id: str
    amount: Decimal
    booked_at: datetime


class FakeTransferDesk:
    """Books transfers, counting how often it ran; declines and refuses on cue."""

    def __init__(self) -> None:
        self.runs = 0

    async def transfer(self, data: TransferIn) -> Response[Ok[TransferOut]]:
        self.runs += 1
        if data.reference == "broke":
            raise RuleViolated("Insufficient funds", code="INSUFFICIENT_FUNDS")
        if data.reference == "crash":
            raise RuntimeError("provider exploded")
        if data.amount <= 0:
            problem = FieldProblem("amount", "INVALID_VALUE", "Must be positive")
            raise InvalidInput("The amount must be positive", problems=(problem,))
        booked = TransferOut(id=f"tr-{self.runs}", amount=data.amount, booked_at=datetime.now(UTC))
        response = ok(booked, 201)
        response.headers["Location"] = f"/transfers/{booked.id}"
        return response


def _created_id(response: Response[Any]) -> str | None:
    return str(response.content.data.id)


def _is_final(error: DomainError) -> bool:
    return isinstance(error, RuleViolated)


class TransferController(Controller):
    path = "/transfers"
    tags = ["Transfers"]

    @post("/", operation_id="createTransfer")
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[TransferIn],
        desk: NamedDependency[FakeTransferDesk],
        store: NamedDependency[IdempotencyStore],
    ) -> Response[Any]:
        return await run_idempotently(
            request,
            store,
            scope=SCOPE,
            handler=lambda: desk.transfer(data),
            is_final=_is_final,
            render_error=toqio_error_renderer(SERVICE),
            resource_id=_created_id,
        )


def _constant(value: object) -> Provide:
    def provide() -> object:
        return value

    return Provide(provide, sync_to_thread=False)


@dataclass
class Api:
    client: AsyncTestClient[Any]
    desk: FakeTransferDesk
    store: IdempotencyStore
    database: Database

    async def transfer(self, payload: Any, key: str | None = None, **kwargs: Any) -> Any:
        headers = {IDEMPOTENCY_KEY_HEADER: key} if key is not None else {}
        return await self.client.post("/transfers", json=payload, headers=headers, **kwargs)

    async def resource_id(self, key: str) -> str | None:
        async with self.database.engine.connect() as connection:
            query = sa.select(table.c.resource_id).where(table.c.key == key)
            return (await connection.execute(query)).scalar_one_or_none()


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    database = Database(f"sqlite:///{tmp_path}/idempotency.db", schema=SCHEMA)
    await database.create_schema(metadata)
    desk, store = FakeTransferDesk(), IdempotencyStore(database, table)
    app = create_app(
        service=SERVICE,
        route_handlers=[TransferController],
        readiness={},
        dependencies={"desk": _constant(desk), "store": _constant(store)},
    )
    async with AsyncTestClient(app=app) as client:
        yield Api(client, desk, store, database)
    await database.dispose()


PAYLOAD = {"amount": "10.50", "reference": "rent"}


async def test_without_a_key_the_handler_runs_every_time(api: Api) -> None:
    first = await api.transfer(PAYLOAD)
    second = await api.transfer(PAYLOAD)

    assert (first.status_code, second.status_code) == (201, 201)
    assert api.desk.runs == 2
    assert first.json()["data"]["id"] != second.json()["data"]["id"]


async def test_same_key_and_body_replays_the_stored_answer(api: Api) -> None:
    first = await api.transfer(PAYLOAD, key="key-1")
    # The same JSON laid out differently is the same request.
    reordered = json.dumps({"reference": "rent", "amount": "10.50"}, indent=2)
    retry = await api.client.post(
        "/transfers",
        content=reordered,
        headers={IDEMPOTENCY_KEY_HEADER: "key-1", "Content-Type": "application/json"},
    )

    assert api.desk.runs == 1
    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert retry.headers[REPLAYED_HEADER] == "true"
    assert REPLAYED_HEADER not in first.headers
    assert retry.headers["location"] == first.headers["location"] == "/transfers/tr-1"
    assert retry.headers["content-type"] == first.headers["content-type"] == "application/json"
    assert first.json()["data"]["amount"] == "10.50"
    assert await api.resource_id("key-1") == "tr-1"


async def test_same_key_with_another_body_is_refused_as_a_reused_key(api: Api) -> None:
    await api.transfer(PAYLOAD, key="key-1")

    refused = await api.transfer({**PAYLOAD, "amount": "99.00"}, key="key-1")

    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert (body["httpStatus"], body["errorOrigin"]) == (422, SERVICE)
    assert "key-1" in body["message"]
    assert api.desk.runs == 1


async def test_a_retry_while_the_first_request_runs_is_a_409(api: Api) -> None:
    held = await api.store.claim(
        SCOPE, "key-1", fingerprint("POST", "/transfers", json.dumps(PAYLOAD).encode())
    )
    assert isinstance(held, Claim)

    waiting = await api.transfer(PAYLOAD, key="key-1")

    assert waiting.status_code == 409
    assert waiting.json()["code"] == "IDEMPOTENCY_REQUEST_IN_PROGRESS"
    assert api.desk.runs == 0


async def test_a_business_decline_is_the_final_answer_of_its_key(api: Api) -> None:
    declined = await api.transfer({**PAYLOAD, "reference": "broke"}, key="key-1")
    replayed = await api.transfer({**PAYLOAD, "reference": "broke"}, key="key-1")

    assert declined.status_code == replayed.status_code == 422
    body = declined.json()
    assert (body["code"], body["message"]) == ("INSUFFICIENT_FUNDS", "Insufficient funds")
    assert (body["errorOrigin"], body["httpStatus"], body["data"]) == (SERVICE, 422, [])
    assert replayed.content == declined.content
    assert replayed.headers[REPLAYED_HEADER] == "true"
    assert api.desk.runs == 1
    assert await api.resource_id("key-1") is None


async def test_invalid_input_frees_the_key_for_a_fixed_retry(api: Api) -> None:
    rejected = await api.transfer({**PAYLOAD, "amount": "0"}, key="key-1")

    assert rejected.status_code == 400
    assert rejected.json()["data"] == [
        {"field": "amount", "code": "INVALID_VALUE", "message": "Must be positive"}
    ]
    fixed = await api.transfer(PAYLOAD, key="key-1")
    again = await api.transfer(PAYLOAD, key="key-1")

    assert fixed.status_code == 201
    assert REPLAYED_HEADER not in fixed.headers
    assert again.headers[REPLAYED_HEADER] == "true"
    assert api.desk.runs == 2


async def test_an_unexpected_failure_frees_the_key(api: Api) -> None:
    crashed = await api.transfer({**PAYLOAD, "reference": "crash"}, key="key-1")
    retried = await api.transfer({**PAYLOAD, "reference": "crash"}, key="key-1")

    assert crashed.status_code == retried.status_code == 500
    assert REPLAYED_HEADER not in retried.headers
    assert api.desk.runs == 2


@pytest.mark.parametrize("key", ["k" * 256, "", "tab\tinside"])
async def test_an_invalid_key_header_is_a_400(api: Api, key: str) -> None:
    response = await api.transfer(PAYLOAD, key=key)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "INVALID_IDEMPOTENCY_KEY"
    assert [problem["field"] for problem in body["data"]] == [IDEMPOTENCY_KEY_HEADER]
    assert api.desk.runs == 0


async def test_the_longest_valid_key_is_accepted(api: Api) -> None:
    response = await api.transfer(PAYLOAD, key="k" * 255)

    assert response.status_code == 201
