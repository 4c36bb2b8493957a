"""Settings of the accounts_payments service, read once from the environment by its entrypoint."""

from __future__ import annotations

from building_blocks.runtime.settings import ServiceSettings

SERVICE = "accounts_payments"


class Settings(ServiceSettings, frozen=True, kw_only=True):
    """The common service settings plus what only accounts_payments reads."""

    port: int = 8001
    sandbox_enabled: bool = False
    toqio_jwt_public_key: str | None = None
