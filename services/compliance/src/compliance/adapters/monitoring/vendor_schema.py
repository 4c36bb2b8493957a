"""The monitoring vendor's wire format: the transaction we send, the verdict we read back."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import msgspec

from compliance.domain.monitoring.decision import MonitoringStatus
from compliance.domain.monitoring.transaction import MonitoredTransaction, PartyType

_S = MonitoringStatus
DEFAULT_OUTCOMES: Mapping[str, MonitoringStatus] = {
    **dict.fromkeys(("accept", "approve", "approved", "pass"), _S.APPROVED),
    **dict.fromkeys(("decline", "reject", "rejected", "block"), _S.REJECTED),
    **dict.fromkeys(("review", "hold", "manual_review", "challenge"), _S.PENDING_EXTERNAL_APPROVAL),
}


class _Party(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    type: str | None
    name: str | None
    iban: str | None
    bic_swift: str | None
    account_number: str | None
    bank_country: str | None
    country: str | None


class _Request(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """The transaction as the vendor gets it: the fields of our own validate request."""

    transaction_id: str
    customer_id: str
    client_id: str
    source_account_id: str
    beneficiary_account_id: str | None
    amount: str
    currency: str
    beneficiary: _Party
    bank_payment_scheme: str | None
    concept: str | None
    reference: str | None
    purpose_code: str | None
    is_fx_transaction: bool
    are_own_accounts: bool
    created_at: datetime


class VendorReason(msgspec.Struct, frozen=True):
    """One of the vendor's reasons."""

    code: str
    message: str = ""


class VendorAnswer(msgspec.Struct, frozen=True):
    """The vendor's verdict: its own outcome word, a score and, maybe, reasons."""

    outcome: str
    score: int | float
    reasons: list[VendorReason] | None = None


_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder(VendorAnswer)


def _text(value: str) -> str | None:
    return value or None  # the domain says "absent" with an empty string, JSON with null


def request_body(tx: MonitoredTransaction) -> bytes:
    """The JSON the vendor is sent for ``tx`` (camelCase, amount as a decimal string)."""
    party = tx.beneficiary
    return _ENCODER.encode(
        _Request(
            transaction_id=tx.transaction_id,
            customer_id=tx.customer_id,
            client_id=tx.client_id,
            source_account_id=tx.source_account_id,
            beneficiary_account_id=_text(tx.beneficiary_account_id),
            amount=f"{tx.amount.to_decimal():f}",
            currency=tx.amount.currency.code,
            beneficiary=_Party(
                type=None if party.type is PartyType.UNKNOWN else party.type.value,
                name=_text(party.name),
                iban=_text(party.iban),
                bic_swift=_text(party.bic),
                account_number=_text(party.account_number),
                bank_country=_text(party.bank_country),
                country=_text(party.country),
            ),
            bank_payment_scheme=_text(tx.scheme),
            concept=_text(tx.concept),
            reference=_text(tx.reference),
            purpose_code=_text(tx.purpose_code),
            is_fx_transaction=tx.is_fx,
            are_own_accounts=tx.own_accounts,
            created_at=tx.created_at,
        )
    )


def decode_answer(body: bytes) -> VendorAnswer:
    """The vendor's verdict; unknown fields are ignored.

    Raises:
        ValueError: the body is not JSON, or not an object with a string ``outcome`` and a
            finite number ``score``.
    """
    try:
        answer = _DECODER.decode(body)
    except msgspec.DecodeError as error:
        raise ValueError(str(error)) from None
    if not math.isfinite(answer.score):
        raise ValueError("score is not a finite number")
    return answer


def risk_score(score: float) -> int:
    """The vendor's score on our 0-100 scale, clamped."""
    # Vendors score 0..1 or 0..100; a value within 0..1 is read as a fraction, so a misread
    # can only overstate the risk, never understate it.
    scaled = score * 100 if 0 <= score <= 1 else score
    return max(0, min(100, round(scaled)))


def parse_outcomes(text: str) -> dict[str, MonitoringStatus]:
    """Read a JSON object of vendor outcome -> status, such as ``MONITORING_VENDOR_OUTCOMES``.

    Raises:
        ValueError: not a non-empty JSON object of non-empty strings to one of the three
            statuses.
    """
    try:
        raw: Any = json.loads(text)
    except json.JSONDecodeError:
        raise ValueError("outcomes must be a JSON object") from None
    if not isinstance(raw, dict) or not raw:
        raise ValueError("outcomes must be a non-empty JSON object")
    mapping: dict[str, MonitoringStatus] = {}
    for outcome, status in raw.items():
        if not outcome.strip() or not isinstance(status, str) or status not in _S.__members__:
            raise ValueError(
                f"outcome {outcome[:40]!r} must map to one of {', '.join(MonitoringStatus)}"
            )
        mapping[outcome] = MonitoringStatus(status)
    return mapping
