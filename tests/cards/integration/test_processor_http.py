"""The processor's authorizations and advices over HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cards.adapters.persistence.authorization_tables import authorizations
from tests.cards.integration.processor_app import (
    DEADLINE,
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


# Authentication -----------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"X-Api-Key": "not-the-key"}])
async def test_a_call_without_the_processor_key_is_refused(
    api: Api, headers: dict[str, str]
) -> None:
    response = await api.client.post("/processor/authorizations", json={}, headers=headers)

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"
    assert await api.count(authorizations) == 0


async def test_without_a_configured_key_every_processor_call_is_refused(tmp_path: Path) -> None:
    async for api in processor_api(f"sqlite:///{tmp_path}/cards.db", api_key=None):
        response = await api.authorize()

        assert response.status_code == 401
        assert "CARDS_PROCESSOR_API_KEY" in response.json()["message"]


# Authorizations -----------------------------------------------------------------------------


async def test_an_authorization_with_funds_is_approved_and_held(api: Api) -> None:
    response = await api.authorize("12.50")

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "decision": "APPROVED",
        "reason": None,
        "authorizationId": body["authorizationId"],
    }
    assert api.ledger.holds == {body["authorizationId"]: 1250}
    [asked] = api.ledger.asked
    assert (asked.card_id, asked.card_last4, asked.customer_id) == ("card-1", "4242", "cust-1")


async def test_an_unknown_card_is_declined_not_missing(api: Api) -> None:
    response = await api.authorize(cardId="card-404")

    assert response.status_code == 200
    assert (response.json()["decision"], response.json()["reason"]) == (
        "DECLINED",
        "CARD_NOT_FOUND",
    )
    assert api.ledger.asked == []


async def test_a_refused_hold_is_declined_with_its_reason(api: Api) -> None:
    response = await api.authorize("1000.01")

    assert response.json()["reason"] == "INSUFFICIENT_FUNDS"


async def test_no_hold_in_time_declines_and_queues_a_void(api: Api) -> None:
    api.ledger.late_by = DEADLINE * 2

    response = await api.authorize()

    assert (response.json()["decision"], response.json()["reason"]) == (
        "DECLINED",
        "FUNDS_TIMEOUT",
    )
    [void] = await api.releases()
    assert (void.action, void.authorization_id) == ("VOID", response.json()["authorizationId"])


async def test_a_replay_answers_the_stored_decision(api: Api) -> None:
    first = await api.authorize()

    again = await api.authorize()

    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(api.ledger.asked) == 1


async def test_a_replay_with_another_amount_is_a_conflict_and_changes_nothing(api: Api) -> None:
    first = await api.authorize("12.50")
    rows, holds = await api.count(authorizations), dict(api.ledger.holds)

    response = await api.authorize("12.51")

    assert response.status_code == 409
    assert response.json()["code"] == "AUTHORIZATION_MISMATCH"
    assert (await api.count(authorizations), api.ledger.holds) == (rows, holds)
    assert (await api.authorize("12.50")).json() == first.json()


async def test_concurrent_requests_under_one_processor_id_store_one_authorization(
    api: Api,
) -> None:
    responses = await asyncio.gather(api.authorize(), api.authorize(cardId="card-frozen"))

    assert sorted(r.status_code for r in responses) == [200, 409]
    assert await api.count(authorizations) == 1


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"merchant": {"name": "x", "country": "ES"}}, "merchant.mcc", "REQUIRED"),
        ({"amount": "ten"}, "amount", "INVALID_VALUE"),
        ({"amount": "10.001"}, "amount", "INVALID_AMOUNT"),
        ({"amount": "0"}, "amount", "INVALID_AUTHORIZATION"),
        ({"currency": "ZZZ"}, "currency", "INVALID_CURRENCY"),
        ({"merchant": {"mcc": "ABCD", "country": "ES"}}, "merchant.mcc", "INVALID_AUTHORIZATION"),
        (
            {"merchant": {"mcc": "5411", "country": "Spain"}},
            "merchant.country",
            "INVALID_AUTHORIZATION",
        ),
        ({"processorId": "has spaces"}, "processorId", "INVALID_AUTHORIZATION"),
        ({"cardId": "4000056655665556"}, "cardId", "INVALID_AUTHORIZATION"),
        ({"cardId": None}, "cardId", "INVALID_TYPE"),
    ],
)
async def test_a_malformed_authorization_is_refused_naming_the_field(
    api: Api, changes: dict[str, Any], field: str, code: str
) -> None:
    response = await api.authorize(**changes)

    assert response.status_code == 400
    problems = response.json()["data"]
    assert [p["field"] for p in problems] == [field]
    assert problems[0]["code"] == code
    assert await api.count(authorizations) == 0


async def test_a_card_number_is_never_echoed_stored_or_sent_on(api: Api) -> None:
    refused = await api.authorize(cardId="4000056655665556")
    masked = await api.authorize(
        merchant={"name": "PAY 4000056655665556 TO", "mcc": "5411", "country": "ES"}
    )

    assert "4000056655665556" not in refused.text
    assert masked.json()["decision"] == "APPROVED"
    assert [a.merchant_name for a in api.ledger.asked] == ["PAY **************** TO"]
    async with api.database.engine.connect() as connection:
        names = (await connection.execute(sa.select(authorizations.c.merchant_name))).scalars()
        assert list(names) == ["PAY **************** TO"]


async def test_an_advice_is_approved_on_a_frozen_card(api: Api) -> None:
    body = {
        "processorId": "advice-1",
        "cardId": "card-frozen",
        "amount": 5,
        "currency": "eur",
        "merchant": {"mcc": "5411", "country": "es"},
    }

    response = await api.client.post("/processor/advices", json=body, headers=HEADERS)

    assert response.json()["decision"] == "APPROVED"
    assert [a.card_last4 for a in api.ledger.asked] == ["1111"]
