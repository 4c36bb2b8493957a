"""The ``load-sanctions`` command: read an official list file and make it the active version.

Like the access commands, the handler is ``args.handler``, called as
``await args.handler(args, sanctions)`` where ``sanctions`` is a :class:`SanctionsCommands`
(the container); it returns the exit code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from compliance.application.sanctions.loading import LoadSanctionsList
from compliance.application.sanctions.ports import SanctionsListReader
from shared_kernel.domain.errors import DomainError

FORMATS = ("ofac", "eu", "un")
INVALID_FILE_EXIT = 2


class SanctionsCommands(Protocol):
    """What the command runs, as the composition root provides it."""

    def load_sanctions_list(self) -> LoadSanctionsList:
        """The ``LoadSanctionsList`` use case on the service's store."""
        ...

    def sanctions_readers(self) -> Mapping[str, SanctionsListReader]:
        """The reader of each format (``SANCTIONS_READERS`` of the adapters)."""
        ...


async def load_sanctions(args: argparse.Namespace, sanctions: SanctionsCommands) -> int:
    """``load-sanctions --format {ofac,eu,un} PATH``: "loaded EU 2030-05-01: 1234 entries".

    Returns:
        0 once loaded (or already loaded), 2 for a file that cannot be read as its format.
    """
    try:
        loaded = sanctions.sanctions_readers()[args.format](args.path)
        version = await sanctions.load_sanctions_list()(loaded)
    except DomainError as error:
        print(f"error: {args.path}: {error.code}: {error.message}", file=sys.stderr)
        return INVALID_FILE_EXIT
    print(f"loaded {version}: {version.entry_count} entries")
    return 0


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``load-sanctions --format {ofac,eu,un} PATH``."""
    parser = subparsers.add_parser(
        "load-sanctions",
        help="load a sanctions list file and make it the active version of its list",
        description=(
            "Read an official sanctions list file (OFAC sdn.csv with alt.csv and add.csv "
            "beside it, the EU consolidated CSV or the UN consolidated XML) and store it as "
            "the active version of its list. Loading a version already stored changes nothing."
        ),
    )
    parser.add_argument("--format", required=True, choices=FORMATS, help="the file's format")
    parser.add_argument("path", type=Path, metavar="PATH", help="the list file (OFAC: sdn.csv)")
    parser.set_defaults(handler=load_sanctions)
