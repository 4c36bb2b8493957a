"""Run compliance alone: `python -m compliance` (settings from the environment)."""

from __future__ import annotations

from building_blocks.runtime import run_service
from compliance.config import SERVICE, Settings
from compliance.container import build_service


def main() -> None:
    """Serve compliance until SIGTERM."""
    run_service(SERVICE, Settings, build_service)


if __name__ == "__main__":
    main()
