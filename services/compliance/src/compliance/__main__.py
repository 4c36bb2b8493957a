"""Run compliance: `python -m compliance` serves; `python -m compliance <command>` runs a tool.

Commands: ``load-sanctions``, ``create-api-key``, ``revoke-api-key``, ``create-reviewer``
(``python -m compliance --help`` lists them). They use the same settings as the service and
migrate its schema first, so they work on a fresh database too.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from building_blocks.messaging import InMemoryBroker
from building_blocks.observability import configure_logging
from building_blocks.runtime import run_service
from building_blocks.settings import load_settings
from compliance.config import SERVICE, Settings
from compliance.container import Container, build_service
from compliance.entrypoints.cli import api_keys, sanctions


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m compliance", description=__doc__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    sanctions.add_commands(commands)
    api_keys.add_commands(commands)
    return parser


async def _run_command(args: argparse.Namespace, settings: Settings) -> int:
    container = Container(settings=settings, broker=InMemoryBroker())
    try:
        await container.core.schema_initializer()()
        code: int = await args.handler(args, container)
        return code
    finally:
        await container.core.database().dispose()


def main(argv: Sequence[str] | None = None) -> None:
    """Serve until SIGTERM, or run one command and exit with its status."""
    args = _parser().parse_args(argv)
    if args.command is None:
        run_service(SERVICE, Settings, build_service)
        return
    settings = load_settings(Settings)
    # Logs go to stderr: a command's stdout carries its answer (an API key, for one).
    configure_logging(SERVICE, settings.log_level, json=settings.log_json, stream=sys.stderr)
    sys.exit(asyncio.run(_run_command(args, settings)))


if __name__ == "__main__":
    main()
