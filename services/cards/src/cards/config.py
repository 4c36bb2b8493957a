"""Settings of the cards service, read once from the environment by its entrypoint."""

from __future__ import annotations

from building_blocks.runtime.settings import ServiceSettings
from building_blocks.settings import Secret

SERVICE = "cards"


class Settings(ServiceSettings, frozen=True, kw_only=True):
    """The common service settings plus what only cards reads."""

    port: int = 8003
    toqio_jwt_public_key: str | None = None
    cards_processor_api_key: Secret | None = None
    sandbox_enabled: bool = False
