"""Adapters of the BankingProvider port: the sandbox bank (real banks go beside it)."""

from accounts_payments.adapters.providers.sandbox_bank import SandboxBank
from accounts_payments.adapters.providers.sandbox_branches import DEFAULT_BRANCHES, SandboxBranch
from accounts_payments.adapters.providers.sandbox_faults import (
    REJECTIONS,
    FaultKind,
    SandboxFaults,
    SandboxOperation,
)

__all__ = [
    "DEFAULT_BRANCHES",
    "REJECTIONS",
    "FaultKind",
    "SandboxBank",
    "SandboxBranch",
    "SandboxFaults",
    "SandboxOperation",
]
