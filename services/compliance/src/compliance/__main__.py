"""Run compliance alone: `python -m compliance` (settings from the environment)."""

from __future__ import annotations

from building_blocks.observability import configure_logging
from building_blocks.runtime import run_hosts
from building_blocks.settings import load_settings
from compliance.config import SERVICE, Settings
from compliance.container import build_service


def main() -> None:
    """Load settings once, configure logging, and serve until SIGTERM."""
    settings = load_settings(Settings)
    configure_logging(SERVICE, settings.log_level, json=settings.log_json)
    run_hosts([build_service(settings)])


if __name__ == "__main__":
    main()
