"""Idempotency keys: a request retried with the same key gets the first answer, not a rerun."""

from building_blocks.idempotency.errors import IdempotencyKeyReused, IdempotencyRequestInFlight
from building_blocks.idempotency.store import Claim, IdempotencyStore, StoredResponse, fingerprint
from building_blocks.idempotency.tables import KeyState, idempotency_tables

__all__ = [
    "Claim",
    "IdempotencyKeyReused",
    "IdempotencyRequestInFlight",
    "IdempotencyStore",
    "KeyState",
    "StoredResponse",
    "fingerprint",
    "idempotency_tables",
]
