"""The ``verify-audit`` command: check the audit log's HMAC chain end to end.

Like compliance's commands, the handler is ``args.handler``, called as
``await args.handler(args, container)`` where ``container`` is an :class:`AuditCommands`;
it returns the exit code.
"""

from __future__ import annotations

import argparse
from typing import Protocol

from cards.application.audit.verify import VerifyAuditLog

INTACT_EXIT = 0
BROKEN_EXIT = 1


class AuditCommands(Protocol):
    """What the command runs, as the composition root provides it."""

    def verify_audit_log(self) -> VerifyAuditLog:
        """The ``VerifyAuditLog`` use case on the service's audit log."""
        ...


async def verify_audit(args: argparse.Namespace, container: AuditCommands) -> int:
    """``verify-audit [--actor NAME]``: "audit log intact: 1234 entries verified".

    Returns:
        0 when every entry verifies, 1 when the chain is broken (the line says where and how).
    """
    report = await container.verify_audit_log()(actor=args.actor, channel="CLI")
    # Sequence numbers and problem names only: the line never shows an entry's content.
    print(report.summary())
    return INTACT_EXIT if report.ok else BROKEN_EXIT


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``verify-audit [--actor NAME]``."""
    parser = commands.add_parser(
        "verify-audit",
        help="verify the audit log's HMAC chain; exit 1 if an entry was edited or removed",
        description=(
            "Recompute the HMAC of every audit log entry from the first one and compare it "
            "with what is stored: an edited, deleted, inserted or reordered entry breaks the "
            "chain. Prints one line; exits 0 when intact, 1 when broken. The check itself is "
            "recorded in the audit log."
        ),
    )
    parser.add_argument(
        "--actor",
        default="operator",
        help="who runs the check, as the audit log records it (default: operator)",
    )
    parser.set_defaults(handler=verify_audit)
