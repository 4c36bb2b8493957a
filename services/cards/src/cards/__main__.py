"""Run cards: `python -m cards` serves; `python -m cards <command>` runs a tool.

Commands: ``verify-audit``, ``rotate-keys`` (``python -m cards --help`` lists them). They use
the same settings as the service and migrate its schema first, so they work on a fresh
database too.
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
from cards.config import SERVICE, Settings
from cards.container import Container, build_service
from cards.entrypoints.cli import audit, keys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cards", description=__doc__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    audit.add_commands(commands)
    keys.add_commands(commands)
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
    # Logs go to stderr: a command's stdout carries its one-line answer.
    configure_logging(SERVICE, settings.log_level, json=settings.log_json, stream=sys.stderr)
    sys.exit(asyncio.run(_run_command(args, settings)))


if __name__ == "__main__":
    main()
