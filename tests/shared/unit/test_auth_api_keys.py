"""API keys: generated high-entropy, stored hashed, compared in constant time, guarded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Controller, Request, Response, post
from litestar.testing import TestClient

from building_blocks.auth.api_keys import (
    PRINCIPAL_STATE_KEY,
    ApiKeyHasher,
    api_key_guard,
    generate_api_key,
    hash_api_key,
    key_id_of,
    verify_api_key,
)
from building_blocks.web.app_factory import create_app
from building_blocks.web.envelopes import Ok, ok

pytestmark = pytest.mark.unit


def test_generated_keys_are_unique_and_carry_their_id() -> None:
    (first_id, first), (second_id, second) = generate_api_key(), generate_api_key()

    assert first != second
    assert first_id != second_id
    assert key_id_of(first) == first_id
    assert len(first) > 50


def test_a_foreign_key_has_no_key_id() -> None:
    assert key_id_of("some-other-key") is None


def test_a_hash_verifies_its_key_and_nothing_else() -> None:
    _, key = generate_api_key()
    stored = hash_api_key(key)

    assert stored.startswith("sha256$")
    assert key not in stored
    assert verify_api_key(key, stored)
    assert not verify_api_key(key + "x", stored)


def test_a_peppered_hash_needs_the_same_pepper() -> None:
    hasher = ApiKeyHasher(pepper=b"server-side-secret")
    key_id, key, stored = hasher.generate()

    assert stored.startswith("hmac-sha256$")
    assert key_id_of(key) == key_id
    assert hasher.verify(key, stored)
    assert not ApiKeyHasher(pepper=b"another-secret").verify(key, stored)
    assert not verify_api_key(key, stored)  # no pepper at all
    assert hasher.hash(key) == stored


def test_an_unknown_hash_scheme_never_verifies() -> None:
    assert not verify_api_key("key", "md5$abc")


KEYS = {"good-key": "cust-1", "flag-key": True}


async def _lookup(presented: str) -> bool | str:
    return KEYS.get(presented, False)


class ValidateController(Controller):
    path = "/transaction/validate"
    tags = ["Transaction monitoring"]

    @post("/", operation_id="validateTransaction", status_code=200)
    async def validate(self, request: Request[Any, Any, Any]) -> Response[Ok[str]]:
        return ok(str(request.scope["state"][PRINCIPAL_STATE_KEY]))


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient[Any]]:
    app = create_app(
        service="compliance",
        route_handlers=[ValidateController],
        readiness={},
        guards=[api_key_guard(_lookup)],
    )
    with TestClient(app) as test_client:
        yield test_client


def test_a_known_key_passes_and_its_principal_is_kept(client: TestClient[Any]) -> None:
    response = client.post("/transaction/validate", headers={"X-Api-Key": "good-key"})

    assert response.status_code == 200
    assert response.json()["data"] == "cust-1"


def test_a_lookup_may_answer_true_instead_of_a_principal(client: TestClient[Any]) -> None:
    response = client.post("/transaction/validate", headers={"X-Api-Key": "flag-key"})

    assert response.status_code == 200


@pytest.mark.parametrize("headers", [{}, {"X-Api-Key": ""}, {"X-Api-Key": "wrong-key"}])
def test_a_missing_or_unknown_key_is_a_401_envelope(
    client: TestClient[Any], headers: dict[str, str]
) -> None:
    response = client.post("/transaction/validate", headers=headers)

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"
    assert "wrong-key" not in response.text


def test_the_header_name_is_configurable() -> None:
    app = create_app(
        service="compliance",
        route_handlers=[ValidateController],
        readiness={},
        guards=[api_key_guard(_lookup, header="X-Toqio-Key")],
    )
    with TestClient(app) as test_client:
        accepted = test_client.post("/transaction/validate", headers={"X-Toqio-Key": "good-key"})
        refused = test_client.post("/transaction/validate", headers={"X-Api-Key": "good-key"})

    assert (accepted.status_code, refused.status_code) == (200, 401)
