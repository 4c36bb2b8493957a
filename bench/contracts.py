"""Benchmarks of the integration-message codec every RabbitMQ message goes through."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import msgspec

from bench.harness import Benchmark, register
from shared_kernel.contracts import Envelope, TransactionBookedV1, decode_envelope, encode


def _booked_envelope() -> Envelope:
    payload = TransactionBookedV1(
        customer_id="cus_01HZX3V8Q2M4N6P8R0T2V4X6Z8",
        client_id="cli_01HZX3V8Q2M4N6P8R0T2V4X6Z9",
        account_id="acc_01HZX3V8Q2M4N6P8R0T2V4X6ZA",
        transaction_id="trx_01HZX3V8Q2M4N6P8R0T2V4X6ZB",
        direction="CREDIT",
        amount_minor=1_234_567,
        currency="EUR",
        kind="SEPA_CREDIT_TRANSFER",
        booked_at=datetime(2024, 5, 17, 9, 30, 12, 345678, tzinfo=UTC),
        counterparty_name="ACME Trading GmbH",
        counterparty_iban="DE89370400440532013000",
        counterparty_country="DE",
    )
    return Envelope.wrap(payload, correlation_id="cor_01HZX3V8Q2M4N6P8R0T2V4X6ZC")


@register
def envelope_round_trip() -> Benchmark:
    """Encode and decode (with validation) an envelope, vs stdlib json on the same data."""
    envelope = _booked_envelope()
    as_dict: dict[str, Any] = msgspec.to_builtins(envelope)
    # The baseline must do the same work: same fields, same JSON document.
    if decode_envelope(encode(envelope)) != envelope or json.loads(encode(envelope)) != as_dict:
        raise RuntimeError("the envelope round trip and its json baseline disagree")

    def run() -> object:
        return decode_envelope(encode(envelope))

    def baseline() -> object:
        return json.loads(json.dumps(as_dict))

    return Benchmark(
        name="Envelope encode+decode (msgspec)",
        run=run,
        baseline=baseline,
        baseline_name="json.dumps+loads of a dict",
    )
