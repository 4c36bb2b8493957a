"""Settings of the accounts_payments service, read once from the environment by its entrypoint."""

from __future__ import annotations

from building_blocks.runtime.settings import ServiceSettings
from building_blocks.settings import Secret

SERVICE = "accounts_payments"


class Settings(ServiceSettings, frozen=True, kw_only=True):
    """The common service settings plus what only accounts_payments reads."""

    port: int = 8001
    sandbox_enabled: bool = False
    toqio_jwt_public_key: str | None = None
    # AES-256 key (base64) that encrypts tenants' secrets at rest; the embedded mode makes a
    # development key under DATA_DIR when it is absent, PostgreSQL deployments must set it.
    tenant_secrets_key: Secret | None = None
    # How long the sandbox bank takes to settle an outbound payment.
    sandbox_settlement_delay_seconds: float = 2.0
    # A payment the provider has not acknowledged is submitted again after this long (the
    # provider dedupes on the payment id), checked every ``payment_resubmit_interval``.
    payment_resubmit_after_seconds: float = 10.0
    payment_resubmit_interval_seconds: float = 5.0
    # An Idempotency-Key claimed by a request that never finished is free again after this.
    idempotency_lease_seconds: float = 60.0
