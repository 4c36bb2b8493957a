"""HTTP statuses of this service's own error classes (the kernel's are mapped centrally)."""

from __future__ import annotations

from accounts_payments.application.ports.banking_provider import (
    ProviderRejected,
    ProviderUnavailable,
)
from shared_kernel.domain.errors import DomainError

# A provider that does not answer is a temporary outage (503); a refusal is final (422).
PROVIDER_ERROR_STATUSES: dict[type[DomainError], int] = {
    ProviderUnavailable: 503,
    ProviderRejected: 422,
}
