"""Settings of the compliance service, read once from the environment by its entrypoint."""

from __future__ import annotations

from typing import Literal

from building_blocks.runtime.settings import ServiceSettings
from building_blocks.settings import Secret

SERVICE = "compliance"


class Settings(ServiceSettings, frozen=True, kw_only=True):
    """The common service settings plus what only compliance reads."""

    port: int = 8002
    # Bearer token of the admin API (API keys, reviewers, rule sets); unset, it is closed.
    compliance_admin_token: Secret | None = None
    # How long /transaction/validate may take before the transaction is held for a person.
    monitoring_deadline_seconds: float = 0.2
    # How long a replica may keep answering from a cached API key record / rule sets in force
    # after another replica revoked or switched them (this replica's own changes apply at once).
    api_key_cache_seconds: float = 30.0
    rule_set_cache_seconds: float = 5.0
    # Who decides: the built-in rule engine, or an external vendor over HTTP.
    monitoring_provider: Literal["builtin", "http"] = "builtin"
    monitoring_vendor_url: str | None = None
    monitoring_vendor_api_key: Secret | None = None
    monitoring_vendor_name: str = "vendor"
    monitoring_vendor_api_key_header: str = "Authorization"
    monitoring_vendor_api_key_scheme: str = "Bearer"
    monitoring_vendor_timeout_seconds: float = 0.15
    # JSON object mapping the vendor's outcomes to APPROVED / REJECTED / PENDING_EXTERNAL_APPROVAL.
    monitoring_vendor_outcomes: str | None = None
    monitoring_vendor_breaker_failures: int = 5
    monitoring_vendor_breaker_reset_seconds: float = 30.0
    # Signs reviewers' tokens (at least 32 characters); unset, a random key per process.
    reviewer_token_key: Secret | None = None
    reviewer_token_ttl_seconds: int = 900
    # Names scoring at least this against a listed name are hits the rules then judge.
    sanctions_threshold: float = 0.80
    # How often the service looks for sanctions lists loaded by the CLI.
    sanctions_refresh_seconds: float = 300.0
    # The review console's session cookie is Secure (HTTPS only); turn off only for plain-HTTP
    # local runs and tests.
    console_secure_cookies: bool = True
    # Above this amount (euro minor units, converted at the stated rates) a review case needs a
    # second approval, by another reviewer with the SUPERVISOR role: 10,000.00 EUR by default.
    four_eyes_above_minor: int = 1_000_000
