"""Authentication and authorisation failures, as domain errors the web layer maps to 401/403."""

from __future__ import annotations

from shared_kernel.domain.errors import DomainError


class AuthenticationFailed(DomainError):
    """The caller could not be authenticated (missing, malformed, forged or stale credentials)."""

    default_code = "UNAUTHORIZED"


class Forbidden(DomainError):
    """The caller is authenticated but may not do this."""

    default_code = "FORBIDDEN"
