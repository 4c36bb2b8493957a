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
