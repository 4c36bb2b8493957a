"""Integration message contracts: the envelope, its JSON codec, flow chaining and routing keys."""

from __future__ import annotations

import re
import typing
from datetime import UTC, datetime

import msgspec
import pytest

from shared_kernel.contracts import (
    AccountOpenedV1,
    AnyMessage,
    Envelope,
    FundsReleaseRequestedV1,
    FundsReservationAnsweredV1,
    FundsReservationRequestedV1,
    IntegrationMessage,
    PaymentStatusChangedV1,
    TransactionBookedV1,
    TransactionDecidedV1,
    decode_envelope,
    encode,
)

pytestmark = pytest.mark.unit

SAMPLES: list[IntegrationMessage] = [
    AccountOpenedV1(
        customer_id="cus-1",
        client_id="mer-1",
        account_id="acc-1",
        currency="EUR",
        iban="DE89370400440532013000",
    ),
    TransactionBookedV1(
        customer_id="cus-1",
        client_id="mer-1",
        account_id="acc-1",
        transaction_id="txn-1",
        direction="CREDIT",
        amount_minor=1050,
        currency="EUR",
        kind="SEPA_CREDIT_TRANSFER",
        booked_at=datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=UTC),
        counterparty_name="ACME",
        counterparty_iban="GB82WEST12345698765432",
        counterparty_country="GB",
    ),
    PaymentStatusChangedV1(
        customer_id="cus-1",
        client_id="mer-1",
        account_id="acc-1",
        transaction_id="txn-2",
        status="COMPLETED",
        previous_status="PENDING",
    ),
    TransactionDecidedV1(
        customer_id="cus-1",
        transaction_id="txn-2",
        decision_id="dec-1",
        status="PENDING_EXTERNAL_APPROVAL",
        risk_score=72,
        decided_by="rules",
    ),
    FundsReservationRequestedV1(
        customer_id="cus-1",
        account_id="acc-1",
        card_id="card-1",
        card_last4="4242",
        authorization_id="auth-1",
        amount_minor=999,
        currency="EUR",
        merchant_name="Coffee",
    ),
    FundsReservationAnsweredV1(authorization_id="auth-1", approved=True, hold_id="hold-1"),
    FundsReleaseRequestedV1(
        authorization_id="auth-1", hold_id="hold-1", action="POST", amount_minor=999
    ),
]


def test_there_is_a_sample_for_every_message_in_the_union() -> None:
    assert {type(sample) for sample in SAMPLES} == set(typing.get_args(AnyMessage))


@pytest.mark.parametrize("message_type", typing.get_args(AnyMessage))
def test_every_message_tag_is_its_routing_key(message_type: type[IntegrationMessage]) -> None:
    assert message_type.__struct_config__.tag == message_type.routing_key()
    assert message_type.routing_key() == f"{message_type.TYPE}.v{message_type.VERSION}"


@pytest.mark.parametrize("payload", SAMPLES, ids=lambda sample: type(sample).__name__)
def test_an_envelope_survives_a_json_round_trip(payload: IntegrationMessage) -> None:
    envelope = Envelope.wrap(payload)

    decoded = decode_envelope(encode(envelope))

    assert decoded == envelope
    assert type(decoded.payload) is type(payload)
    assert decoded.routing_key == payload.routing_key()
    assert decoded.occurred_at.tzinfo is not None


def test_the_first_message_of_a_flow_correlates_with_itself() -> None:
    envelope = Envelope.wrap(SAMPLES[0])

    assert envelope.correlation_id == envelope.message_id
    assert envelope.causation_id is None
    assert (envelope.type, envelope.version) == ("AccountOpened", 1)


def test_a_given_correlation_id_and_message_id_are_kept() -> None:
    envelope = Envelope.wrap(SAMPLES[0], correlation_id="flow-1", message_id="msg-1")

    assert (envelope.message_id, envelope.correlation_id) == ("msg-1", "flow-1")


def test_a_caused_message_continues_the_flow_of_its_cause() -> None:
    first = Envelope.wrap(SAMPLES[4], correlation_id="flow-1")
    second = Envelope.wrap(SAMPLES[5], causation=first)
    third = Envelope.wrap(SAMPLES[6], causation=second, correlation_id="ignored")

    assert second.causation_id == first.message_id
    assert third.causation_id == second.message_id
    assert {first.correlation_id, second.correlation_id, third.correlation_id} == {"flow-1"}
    assert len({first.message_id, second.message_id, third.message_id}) == 3


def test_each_wrap_makes_a_new_message_id() -> None:
    assert Envelope.wrap(SAMPLES[0]).message_id != Envelope.wrap(SAMPLES[0]).message_id


def test_malformed_json_is_a_decode_error() -> None:
    with pytest.raises(msgspec.DecodeError):
        decode_envelope(b'{"message_id": ')


def _raw(payload: dict[str, object], **overrides: object) -> bytes:
    envelope = msgspec.to_builtins(Envelope.wrap(SAMPLES[0]))
    envelope["payload"] = payload
    envelope.update(overrides)
    return msgspec.json.encode(envelope)


def test_an_unknown_schema_tag_is_a_validation_error() -> None:
    payload = msgspec.to_builtins(SAMPLES[0]) | {"schema": "AccountOpened.v99"}

    with pytest.raises(
        msgspec.ValidationError, match=re.escape("Invalid value 'AccountOpened.v99'")
    ):
        decode_envelope(_raw(payload))


def test_a_payload_without_a_schema_tag_is_a_validation_error() -> None:
    payload = msgspec.to_builtins(SAMPLES[0])
    del payload["schema"]

    with pytest.raises(msgspec.ValidationError):
        decode_envelope(_raw(payload))


def test_a_payload_missing_a_field_is_a_validation_error() -> None:
    payload = msgspec.to_builtins(SAMPLES[0])
    del payload["account_id"]

    with pytest.raises(msgspec.ValidationError, match="account_id"):
        decode_envelope(_raw(payload))


def test_an_envelope_whose_type_disagrees_with_its_payload_is_rejected() -> None:
    payload = msgspec.to_builtins(SAMPLES[0])

    with pytest.raises(msgspec.ValidationError, match=re.escape("carries AccountOpened.v1")):
        decode_envelope(_raw(payload, type="PaymentStatusChanged"))
    with pytest.raises(msgspec.ValidationError, match=re.escape("carries AccountOpened.v1")):
        decode_envelope(_raw(payload, version=2))


def test_unknown_fields_from_a_newer_producer_are_tolerated() -> None:
    payload = msgspec.to_builtins(SAMPLES[0]) | {"added_later": 1}

    decoded = decode_envelope(_raw(payload, trace="x"))

    assert decoded.payload == SAMPLES[0]


def test_the_payload_is_tagged_with_its_schema_on_the_wire() -> None:
    wire = msgspec.json.decode(encode(Envelope.wrap(SAMPLES[1])))

    assert wire["payload"]["schema"] == "TransactionBooked.v1"
    assert wire["type"] == "TransactionBooked"
