"""Run accounts_payments alone: `python -m accounts_payments` (settings from the environment)."""

from __future__ import annotations

from accounts_payments.config import SERVICE, Settings
from accounts_payments.container import build_service
from building_blocks.runtime import run_service


def main() -> None:
    """Serve accounts_payments until SIGTERM."""
    run_service(SERVICE, Settings, build_service)


if __name__ == "__main__":
    main()
