"""Settings of the compliance service, read once from the environment by its entrypoint."""

from __future__ import annotations

from building_blocks.runtime.settings import ServiceSettings
from building_blocks.settings import Secret

SERVICE = "compliance"


class Settings(ServiceSettings, frozen=True, kw_only=True):
    """The common service settings plus what only compliance reads."""

    port: int = 8002
    compliance_admin_token: Secret | None = None
