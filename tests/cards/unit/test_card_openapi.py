"""Our OpenAPI carries Toqio's card paths, methods, field names and enum values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml

from building_blocks.auth import ToqioJwtVerifier, toqio_jwt_guard
from cards.application.cards.options import CardImages
from cards.application.cards.queries import (
    GetAvailableCardLimits,
    GetCardImageUrl,
    GetCardImageUrlByTemplate,
    GetCardLimitsMinMax,
    GetCardSettings,
)
from cards.domain.limits import LimitKind
from cards.entrypoints.http.app import create_http_app
from cards.entrypoints.http.card_limit_schemas import AVAILABLE_LIMIT_ATTRIBUTES
from cards.entrypoints.http.card_routes import card_route_handlers, card_sandbox_route_handlers
from cards.entrypoints.http.card_schemas import (
    LIMIT_ATTRIBUTES,
    CardResponse,
    IssueCardRequest,
    UpdateCardRequest,
)
from tests.cards.card_kit import CardKit
from tests.support.jwt_issuer import ToqioJwtIssuer

pytestmark = pytest.mark.unit

CONTRACT = Path("/work/shared/toqio-contract/card-management.openapi.yml")
# Activation, reveal and the TOTP secret are the security routes'.
SECURITY_OPERATIONS = {
    "activateCard",
    "activateCardOTP",
    "getPan",
    "getPin",
    "getPinAsync",
    "getTOTPSecret",
}


def operations(document: dict[str, Any]) -> dict[str, tuple[str, str]]:
    found = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            found[operation["operationId"]] = (method.upper(), path)
    return found


def encoded_fields(struct: type[msgspec.Struct]) -> set[str]:
    return {field.encode_name for field in msgspec.structs.fields(struct)}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    if not CONTRACT.exists():
        pytest.skip("the Toqio contract is not checked out next to the project")
    document: dict[str, Any] = yaml.safe_load(CONTRACT.read_text())
    return document


@pytest.fixture
def ours() -> dict[str, Any]:
    kit = CardKit()
    units = kit.store.unit_of_work
    issuer = ToqioJwtIssuer(ec_key=True)
    handlers = card_route_handlers(
        toqio_guards=[toqio_jwt_guard(ToqioJwtVerifier(issuer.public_key_pem))],
        card_provider="SANDBOX",
        issue_card=kit.issue_card(),
        get_card=kit.get_card(),
        delete_card=kit.delete_card(),
        suspend_card=kit.suspend_card(),
        cancel_card=kit.cancel_card(),
        update_card=kit.update_card(),
        update_card_alias=kit.update_alias(),
        update_card_read_only=kit.update_read_only(),
        get_available_card_limits=GetAvailableCardLimits(),
        get_card_limits_min_max=GetCardLimitsMinMax(kit.policy),
        get_card_settings=GetCardSettings(units),
        get_card_image_url=GetCardImageUrl(units, CardImages()),
        get_card_image_url_by_template=GetCardImageUrlByTemplate(CardImages()),
    )
    handlers += card_sandbox_route_handlers(
        enabled=True,
        sandbox_card_processor=kit.sandbox,
        replace_card=kit.replace_card(),
        card_provider="SANDBOX",
    )
    document: dict[str, Any] = create_http_app(
        readiness={}, route_handlers=handlers
    ).openapi_schema.to_schema()
    return document


def test_every_card_operation_but_the_security_ones_has_toqios_path_and_method(
    spec: dict[str, Any], ours: dict[str, Any]
) -> None:
    expected = {k: v for k, v in operations(spec).items() if k not in SECURITY_OPERATIONS}
    served = operations(ours)

    assert {name: served.get(name) for name in expected} == expected


def test_operations_carry_toqios_tags(spec: dict[str, Any], ours: dict[str, Any]) -> None:
    spec_tags = {
        operation["operationId"]: set(operation["tags"])
        for item in spec["paths"].values()
        for operation in item.values()
    }
    our_tags = {
        operation["operationId"]: set(operation["tags"])
        for item in ours["paths"].values()
        for operation in item.values()
    }

    for name, tags in spec_tags.items():
        if name not in SECURITY_OPERATIONS:
            assert tags <= our_tags[name], name


def test_requests_and_responses_use_toqios_field_names(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    limit_fields = set(schemas["LimitFields"]["properties"])
    issue_fields = set(schemas["IssueCardRequest"]["allOf"][1]["properties"])
    update_fields = set(schemas["UpdateCardRequest"]["allOf"][1]["properties"])
    card_fields = set(schemas["CardResponse"]["properties"])
    available = set(schemas["AvailableCardLimitsResponse"]["properties"])

    assert limit_fields | issue_fields <= encoded_fields(IssueCardRequest)
    assert limit_fields | update_fields <= encoded_fields(UpdateCardRequest)
    # Delivery details go to the processor and are not kept, so a card never shows them.
    assert card_fields - {"cardDeliveryAddress", "cardDeliveryMethod"} <= encoded_fields(
        CardResponse
    )
    assert {kind.value for kind in LimitKind} <= encoded_fields(CardResponse)
    assert available == {_camel(name) for name in AVAILABLE_LIMIT_ATTRIBUTES.values()}
    assert {_camel(name) for name in LIMIT_ATTRIBUTES.values()} == {k.value for k in LimitKind}


def test_card_statuses_are_toqios(spec: dict[str, Any], ours: dict[str, Any]) -> None:
    toqio = spec["components"]["schemas"]["CardResponse"]["properties"]["status"]["enum"]
    schemas = ours["components"]["schemas"]
    status = schemas["CardResponse"]["properties"]["status"]
    if "$ref" in status:
        status = schemas[status["$ref"].rsplit("/", 1)[-1]]

    assert set(status["enum"]) == set(toqio)


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


def test_sandbox_routes_exist_only_when_the_sandbox_is_enabled() -> None:
    kit = CardKit()

    handlers = card_sandbox_route_handlers(
        enabled=False,
        sandbox_card_processor=kit.sandbox,
        replace_card=kit.replace_card(),
        card_provider="SANDBOX",
    )

    assert handlers == []
