"""Toqio's JWT: what the verifier and its guard accept and what they refuse."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.testing import TestClient

from building_blocks.auth.errors import AuthenticationFailed
from building_blocks.auth.toqio_jwt import ToqioJwtVerifier, toqio_claims, toqio_jwt_guard
from building_blocks.web.app_factory import create_app
from building_blocks.web.envelopes import Ok, ok
from tests.support.jwt_issuer import ToqioJwtIssuer

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def issuer() -> ToqioJwtIssuer:
    return ToqioJwtIssuer()


@pytest.fixture(scope="module")
def verifier(issuer: ToqioJwtIssuer) -> ToqioJwtVerifier:
    return ToqioJwtVerifier(issuer.public_key_pem)


class CustomerController(Controller):
    path = "/customers/{customerId:str}"
    tags = ["Customers"]

    @get("/", operation_id="getCustomer")
    async def get_customer(
        self,
        customerId: FromPath[str],  # noqa: N803
        request: Request[Any, Any, Any],
    ) -> Response[Ok[str]]:
        return ok(str(toqio_claims(request)["customerID"]))


class CapabilitiesController(Controller):
    path = "/capabilities"
    tags = ["Capabilities"]

    @get("/", operation_id="getCapabilities")
    async def capabilities(self) -> Response[Ok[str]]:
        return ok("all")


@pytest.fixture(scope="module")
def client(verifier: ToqioJwtVerifier) -> Iterator[TestClient[Any]]:
    app = create_app(
        service="accounts_payments",
        route_handlers=[CustomerController, CapabilitiesController],
        readiness={},
        guards=[toqio_jwt_guard(verifier)],
    )
    with TestClient(app) as test_client:
        yield test_client


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_valid_token_for_the_path_customer_passes(
    client: TestClient[Any], issuer: ToqioJwtIssuer
) -> None:
    response = client.get("/customers/cust-1", headers=_bearer(issuer.issue("cust-1")))

    assert response.status_code == 200
    assert response.json()["data"] == "cust-1"


def test_a_path_without_customer_accepts_any_customer(
    client: TestClient[Any], issuer: ToqioJwtIssuer
) -> None:
    response = client.get("/capabilities", headers=_bearer(issuer.issue("cust-9")))

    assert response.status_code == 200


def test_an_es256_token_verifies_against_an_ec_key() -> None:
    ec_issuer = ToqioJwtIssuer(ec_key=True)
    claims = ToqioJwtVerifier(ec_issuer.public_key_pem).verify(ec_issuer.issue("c-2"), "c-2")

    assert claims["customerID"] == "c-2"


def test_the_key_can_be_read_from_a_pem_file(issuer: ToqioJwtIssuer, tmp_path: Path) -> None:
    pem = tmp_path / "toqio.pem"
    pem.write_text(issuer.public_key_pem)

    claims = ToqioJwtVerifier(str(pem)).verify(issuer.issue("c-3"), None)

    assert claims["customerID"] == "c-3"


def test_a_token_within_the_leeway_passes(issuer: ToqioJwtIssuer) -> None:
    import time

    token = issuer.issue("c-1", exp=int(time.time()) - 10)

    assert ToqioJwtVerifier(issuer.public_key_pem, leeway_seconds=30).verify(token, "c-1")


BAD_TOKENS = {
    "alg none": lambda i: i.alg_none(),
    "hmac signed with the public key": lambda i: i.hmac_with_public_key(),
    "signed by another key": lambda i: i.signed_by_other_key(),
    "expired": lambda i: i.expired(),
    "not yet valid": lambda i: i.not_yet_valid(),
    "wrong issuer": lambda i: i.wrong_issuer(),
    "wrong subject": lambda i: i.wrong_subject(),
    "another customer": lambda i: i.issue("cust-2"),
    "no customer claim": lambda i: i.issue(None),
    "no issuer claim": lambda i: i.issue(iss=None),
    "no subject claim": lambda i: i.issue(sub=None),
    "es256 token for an rsa key": lambda i: ToqioJwtIssuer(ec_key=True).issue(),
    "garbage": lambda i: "not.a.jwt",
    "truncated": lambda i: i.issue().rsplit(".", 1)[0],
}


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
def test_bad_tokens_are_refused_with_a_401_envelope(
    client: TestClient[Any], issuer: ToqioJwtIssuer, kind: str
) -> None:
    token = BAD_TOKENS[kind](issuer)

    response = client.get("/customers/cust-1", headers=_bearer(token))

    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "UNAUTHORIZED"
    assert body["errorSeverity"] == "ERROR"
    assert token not in response.text


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer "},
    ],
)
def test_a_missing_or_non_bearer_header_is_refused(
    client: TestClient[Any], headers: dict[str, str]
) -> None:
    response = client.get("/customers/cust-1", headers=headers)

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
def test_the_verifier_raises_authentication_failed_without_token_content(
    verifier: ToqioJwtVerifier, issuer: ToqioJwtIssuer, kind: str
) -> None:
    token = BAD_TOKENS[kind](issuer)

    with pytest.raises(AuthenticationFailed) as caught:
        verifier.verify(token, "cust-1")

    assert caught.value.code == "UNAUTHORIZED"
    assert token not in caught.value.message
    for segment in token.split("."):
        if len(segment) > 8:
            assert segment not in caught.value.message


def test_a_non_rsa_or_ec_key_is_refused_at_construction() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    pem = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )

    with pytest.raises(ValueError, match="RSA or EC"):
        ToqioJwtVerifier(pem)
