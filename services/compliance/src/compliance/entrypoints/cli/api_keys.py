"""CLI commands managing access: create and revoke API keys, create reviewers.

Each command's handler is ``args.handler``, called as ``await args.handler(args, access)``
where ``access`` is an :class:`AccessCommands` (the container); it returns the exit code.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Protocol

from compliance.application.access.api_keys import CreateApiKey, RevokeApiKey
from compliance.application.access.reviewers import CreateReviewer
from compliance.domain.access import ReviewerRole
from shared_kernel.domain.errors import DomainError

PASSWORD_VARIABLE = "REVIEWER_PASSWORD"  # noqa: S105 (the variable's name, not a password)


class AccessCommands(Protocol):
    """The use cases the commands run, as the composition root provides them."""

    def create_api_key(self) -> CreateApiKey:
        """The ``CreateApiKey`` use case."""
        ...

    def revoke_api_key(self) -> RevokeApiKey:
        """The ``RevokeApiKey`` use case."""
        ...

    def create_reviewer(self) -> CreateReviewer:
        """The ``CreateReviewer`` use case."""
        ...


def _fail(error: DomainError) -> int:
    print(f"error: {error.message}", file=sys.stderr)
    for problem in error.problems:
        print(f"  {problem.field}: {problem.message}", file=sys.stderr)
    return 1


async def create_api_key(args: argparse.Namespace, access: AccessCommands) -> int:
    """``create-api-key --customer-id ID``: the new key on stdout, alone, this once."""
    try:
        created = await access.create_api_key()(args.customer_id)
    except DomainError as error:
        return _fail(error)
    record = created.record
    print(
        f"Created API key {record.key_id} for customer {record.customer_id}. "
        "It is shown once and will not be shown again: store it now.",
        file=sys.stderr,
    )
    # stdout carries the key alone, so `KEY=$(python -m compliance create-api-key ...)` works.
    print(created.plaintext)
    return 0


async def revoke_api_key(args: argparse.Namespace, access: AccessCommands) -> int:
    """``revoke-api-key KEY_ID``: stop the key from authenticating (again is fine)."""
    try:
        revoked = await access.revoke_api_key()(args.key_id)
    except DomainError as error:
        return _fail(error)
    assert revoked.revoked_at is not None
    print(
        f"API key {revoked.key_id} of customer {revoked.customer_id} "
        f"is revoked since {revoked.revoked_at.isoformat()}"
    )
    return 0


def _read_password() -> str:
    # Never an argument: it would land in the shell history and in `ps` output.
    from_environment = os.environ.get(PASSWORD_VARIABLE)
    if from_environment:
        return from_environment
    if sys.stdin.isatty():
        return getpass.getpass("Password: ")
    return sys.stdin.readline().rstrip("\r\n")


async def create_reviewer(args: argparse.Namespace, access: AccessCommands) -> int:
    """``create-reviewer --username U --role R``, the password from the environment or stdin."""
    try:
        reviewer = await access.create_reviewer()(
            username=args.username, password=_read_password(), role=ReviewerRole(args.role)
        )
    except DomainError as error:
        return _fail(error)
    print(f"Created reviewer {reviewer.username} ({reviewer.role.value}): {reviewer.reviewer_id}")
    return 0


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``create-api-key``, ``revoke-api-key`` and ``create-reviewer``."""
    create_key = subparsers.add_parser(
        "create-api-key", help="create an API key for a Toqio customer (shown once)"
    )
    create_key.add_argument("--customer-id", required=True, help="the Toqio customer id")
    create_key.set_defaults(handler=create_api_key)

    revoke_key = subparsers.add_parser("revoke-api-key", help="revoke an API key")
    revoke_key.add_argument("key_id", metavar="KEY_ID", help="the key id shown at creation")
    revoke_key.set_defaults(handler=revoke_api_key)

    reviewer = subparsers.add_parser(
        "create-reviewer",
        help=f"create a reviewer; the password is read from ${PASSWORD_VARIABLE} or stdin",
    )
    reviewer.add_argument("--username", required=True)
    reviewer.add_argument(
        "--role", required=True, choices=[role.value for role in ReviewerRole], type=str.upper
    )
    reviewer.set_defaults(handler=create_reviewer)
