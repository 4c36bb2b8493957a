"""The ``rotate-keys`` command: rewrap data keys under the current KEK, reseal secrets, audit it.

Like ``verify-audit``, the handler is ``args.handler``, called as ``await args.handler(args,
container)`` where ``container`` is a :class:`KeyCommands`; it returns the exit code. The
rotation runs online, in batches (see ``RotateKeys``); every run, finished or failed, is
recorded in the audit log as ``KEY_ROTATED`` with its counts, never a key.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Protocol

from cards.application.audit.ports import AuditRecorder
from cards.application.vault.rotation import DEFAULT_BATCH_SIZE, RotateKeys, RotationReport
from cards.domain.audit import AuditAction, AuditEvent
from shared_kernel.domain.errors import DomainError

DONE_EXIT = 0
FAILED_EXIT = 1
# Finished, but some secrets did not open and were left as they are, for an operator.
UNREADABLE_EXIT = 2
CHANNEL = "CLI"


class KeyCommands(Protocol):
    """What the command runs, as the composition root provides it."""

    def rotate_keys(self, *, batch_size: int) -> RotateKeys:
        """The ``RotateKeys`` use case, working in batches of ``batch_size``."""
        ...

    def audit_recorder(self) -> AuditRecorder:
        """The audit log, appended to in transactions of its own."""
        ...


def summary(report: RotationReport) -> str:
    """One line for an operator: the counts of the run, never key material."""
    return (
        f"key rotation done under KEK version {report.kek_version}: "
        f"{report.data_keys_rewrapped} data keys rewrapped, "
        f"{report.data_keys_created} created, {report.secrets_resealed} secrets resealed, "
        f"{report.secrets_skipped} skipped, {report.secrets_unreadable} unreadable "
        f"({report.batches} batches)"
    )


def _event(actor: str, details: dict[str, str], subject: str = "") -> AuditEvent:
    return AuditEvent(
        action=AuditAction.KEY_ROTATED,
        actor=actor,
        channel=CHANNEL,
        tenant_id="",
        subject=subject,
        occurred_at=datetime.now(UTC),
        details=details,
    )


def _report_details(report: RotationReport, new_data_keys: bool) -> dict[str, str]:
    unreadable = report.secrets_unreadable
    return {
        "result": "DONE" if unreadable == 0 else "DONE_WITH_UNREADABLE_SECRETS",
        "newDataKeys": str(new_data_keys).lower(),
        "kekVersion": str(report.kek_version),
        "dataKeysRewrapped": str(report.data_keys_rewrapped),
        "dataKeysCreated": str(report.data_keys_created),
        "secretsResealed": str(report.secrets_resealed),
        "secretsSkipped": str(report.secrets_skipped),
        "secretsUnreadable": str(unreadable),
        "batches": str(report.batches),
    }


async def rotate_keys(args: argparse.Namespace, container: KeyCommands) -> int:
    """``rotate-keys [--new-data-keys] [--batch-size N] [--actor NAME]``.

    Returns:
        0 when done, 2 when done but some secrets did not open (left as they were), 1 when
        the rotation failed (a key it needs is unavailable); the run is audited either way.
    """
    recorder = container.audit_recorder()
    rotation = container.rotate_keys(batch_size=args.batch_size)
    try:
        report = await rotation(new_data_keys=args.new_data_keys)
    except DomainError as error:
        # The message names versions and codes only; vault errors never hold key material.
        details = {
            "result": "FAILED",
            "newDataKeys": str(args.new_data_keys).lower(),
            "error": error.code,
        }
        await recorder.record(_event(args.actor, details))
        print(f"key rotation FAILED: {error.message} ({error.code})", file=sys.stderr)
        return FAILED_EXIT
    await recorder.record(
        _event(
            args.actor,
            _report_details(report, args.new_data_keys),
            subject=f"kek:{report.kek_version}",
        )
    )
    print(summary(report))
    return DONE_EXIT if report.secrets_unreadable == 0 else UNREADABLE_EXIT


def _batch_size(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("the batch size must be a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("the batch size must be at least 1")
    return value


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``rotate-keys [--new-data-keys] [--batch-size N] [--actor NAME]``."""
    parser = commands.add_parser(
        "rotate-keys",
        help="rewrap data keys under the current KEK and reseal card secrets, online",
        description=(
            "Rewrap every data key wrapped under an older key-encryption key with the current "
            "one; with --new-data-keys, give every tenant a new data key first; then reseal "
            "every card secret sealed under an older data key than its tenant's current one. "
            "Runs while the service serves, in short batches; a concurrent write always wins. "
            "Prints one line; exits 0 when done, 2 when some secrets did not open (left as "
            "they were), 1 when it failed. The run is recorded in the audit log."
        ),
    )
    parser.add_argument(
        "--new-data-keys",
        action="store_true",
        help="add a new data-key version for every tenant and reseal everything under it",
    )
    parser.add_argument(
        "--batch-size",
        type=_batch_size,
        default=DEFAULT_BATCH_SIZE,
        help=f"rows per batch, each in its own transaction (default: {DEFAULT_BATCH_SIZE})",
    )
    parser.add_argument(
        "--actor",
        default="operator",
        help="who runs the rotation, as the audit log records it (default: operator)",
    )
    parser.set_defaults(handler=rotate_keys)
