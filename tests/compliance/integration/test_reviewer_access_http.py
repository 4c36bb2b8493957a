"""Reviewers over HTTP on PostgreSQL: creation, sign-in, the reviewer guard, and quiet logs."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import structlog

from building_blocks.observability.logging import configure_logging
from building_blocks.persistence import Database
from building_blocks.settings import Secret
from compliance.adapters.persistence.access_tables import reviewers
from compliance.domain.access import ReviewerRole
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


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _altered(text: str, index: int) -> str:
    replacement = "A" if text[index] != "A" else "B"
    return text[:index] + replacement + text[index + 1 :]


def _without_volatile(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in {"requestId", "date"}}


async def test_a_reviewer_is_created_with_only_a_scrypt_hash_of_the_password(api: Api) -> None:
    body = {"username": "Alice", "password": PASSWORD, "role": "SUPERVISOR"}
    response = await api.client.post("/admin/reviewers", json=body, headers=ADMIN)

    assert response.status_code == 201
    data = response.json()["data"]
    assert data == {"reviewerId": data["reviewerId"], "username": "alice", "role": "SUPERVISOR"}
    [row] = await api.rows(reviewers)
    assert row["password_hash"].startswith("scrypt$")
    assert PASSWORD not in repr(row)


async def test_a_weak_password_is_refused_with_field_problems(api: Api) -> None:
    body = {"username": "alice", "password": "aaaa", "role": "REVIEWER"}
    response = await api.client.post("/admin/reviewers", json=body, headers=ADMIN)

    assert response.status_code == 400
    problems = {(p["field"], p["code"]) for p in response.json()["data"]}
    assert problems == {("password", "TOO_SHORT"), ("password", "TOO_WEAK")}
    assert "aaaa" not in response.text
    assert await api.rows(reviewers) == []


async def test_an_unknown_role_is_refused(api: Api) -> None:
    body = {"username": "alice", "password": PASSWORD, "role": "ADMIN"}
    response = await api.client.post("/admin/reviewers", json=body, headers=ADMIN)

    assert response.status_code == 400
    assert [p["field"] for p in response.json()["data"]] == ["role"]


async def test_a_duplicate_reviewer_is_a_conflict(api: Api) -> None:
    await api.new_reviewer("alice")
    body = {"username": "ALICE", "password": PASSWORD, "role": "REVIEWER"}

    response = await api.client.post("/admin/reviewers", json=body, headers=ADMIN)

    assert response.status_code == 409
    assert response.json()["code"] == "REVIEWER_EXISTS"


async def test_a_reviewer_signs_in_and_the_token_opens_reviewer_routes(api: Api) -> None:
    reviewer_id = await api.new_reviewer("alice", "SUPERVISOR")

    signed_in = await api.sign_in("alice", PASSWORD)
    data = signed_in.json()["data"]
    me = await api.client.get("/test/reviewer", headers=_bearer(data["token"]))

    assert signed_in.status_code == 200
    assert signed_in.headers["cache-control"] == "no-store"
    assert data["tokenType"] == "Bearer"
    expires_at = datetime.fromisoformat(data["expiresAt"].replace("Z", "+00:00"))
    assert timedelta(minutes=14) < expires_at - datetime.now(UTC) <= timedelta(minutes=15)
    assert me.status_code == 200
    assert me.json()["data"] == {"reviewerId": reviewer_id, "role": "SUPERVISOR"}


async def test_a_wrong_password_and_an_unknown_user_get_the_same_401(api: Api) -> None:
    await api.new_reviewer("alice")

    wrong_password = await api.sign_in("alice", PASSWORD + "!")
    unknown_user = await api.sign_in("mallory", PASSWORD)

    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json()["code"] == "INVALID_CREDENTIALS"
    assert _without_volatile(wrong_password.json()) == _without_volatile(unknown_user.json())


async def test_reviewer_routes_refuse_expired_tampered_and_foreign_tokens(api: Api) -> None:
    reviewer_id = await api.new_reviewer("alice")
    signer = api.container.token_signer()
    expired = signer.issue(
        reviewer_id, ReviewerRole.REVIEWER, datetime.now(UTC) - timedelta(hours=1)
    )
    valid = (await api.sign_in("alice", PASSWORD)).json()["data"]["token"]
    version, body, signature = valid.split(".")
    tampered = f"{version}.{_altered(body, 5)}.{signature}"
    api_key = (await api.new_key())["apiKey"]

    answers = {
        name: await api.client.get("/test/reviewer", headers=headers)
        for name, headers in {
            "expired": _bearer(expired.token),
            "tampered": _bearer(tampered),
            "api key": _bearer(api_key),
            "admin token": ADMIN,
            "missing": {},
        }.items()
    }

    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 401)
    assert answers["expired"].json()["code"] == "TOKEN_EXPIRED"
    assert answers["tampered"].json()["code"] == "INVALID_TOKEN"


@pytest.fixture
def log_output() -> Iterator[tuple[io.StringIO, list[dict[str, Any]]]]:
    """What is written (after redaction) and every structlog event as logged (before it)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging("compliance", level="DEBUG", stream=stream)
    events: list[dict[str, Any]] = []

    def keep(_: Any, __: str, event: Any) -> Any:
        events.append(dict(event))
        return event

    processors = structlog.get_config()["processors"]
    structlog.configure(processors=[keep, *processors], cache_logger_on_first_use=False)
    yield stream, events
    structlog.contextvars.clear_contextvars()
    structlog.reset_defaults()
    root.handlers[:] = handlers
    root.setLevel(level)


async def test_no_key_password_or_token_is_ever_logged(
    api: Api, log_output: tuple[io.StringIO, list[dict[str, Any]]]
) -> None:
    stream, events = log_output
    key = await api.new_key()
    await api.client.get("/test/customer", headers={"X-Api-Key": key["apiKey"]})
    await api.client.delete(f"/admin/api-keys/{key['keyId']}", headers=ADMIN)
    await api.client.get("/test/customer", headers={"X-Api-Key": key["apiKey"]})
    await api.new_reviewer("alice")
    await api.sign_in("alice", "a wrong but secret guess")
    token = (await api.sign_in("alice", PASSWORD)).json()["data"]["token"]
    await api.client.get("/test/reviewer", headers=_bearer(token))
    await api.client.get("/test/reviewer", headers=_bearer(token + "x"))

    written = stream.getvalue()
    logged = repr(events)
    assert {"api_key.created", "reviewer.created", "reviewer.token_issued"} <= {
        event["event"] for event in events
    }
    for secret in (key["apiKey"], PASSWORD, "a wrong but secret guess", token, ADMIN_TOKEN):
        assert secret not in written
        assert secret not in logged
