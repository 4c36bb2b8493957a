"""Run cards alone: `python -m cards` (settings from the environment)."""

from __future__ import annotations

from building_blocks.runtime import run_service
from cards.config import SERVICE, Settings
from cards.container import build_service


def main() -> None:
    """Serve cards until SIGTERM."""
    run_service(SERVICE, Settings, build_service)


if __name__ == "__main__":
    main()
