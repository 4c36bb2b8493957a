"""A merchant (Toqio's client) as the provider knows it: onboarded once, reused by every account."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class Merchant:
    """Toqio's ``clientId`` under one customer, with the provider's id for it."""

    customer_id: str
    client_id: str
    provider_merchant_id: str
    legal_name: str = ""
    created_at: datetime = field(default_factory=_now)
