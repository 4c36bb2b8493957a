"""The access CLI on SQLite: keys printed once and revoked, reviewers made without argv secrets."""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import structlog

from compliance.adapters.persistence.access_tables import api_keys, reviewers
from compliance.domain.access import InvalidCredentials
from compliance.entrypoints.cli.api_keys import add_commands
from tests.compliance.access_wiring import AccessContainer, access_container, fresh_database

pytestmark = pytest.mark.unit

PASSWORD = "a long and secret passphrase"


@pytest.fixture
async def container(tmp_path: Path) -> AsyncIterator[AccessContainer]:
    database = await fresh_database(f"sqlite:///{tmp_path / 'compliance.db'}")
    yield access_container(database)
    await database.dispose()


class _CurrentStderr:
    """Whatever ``sys.stderr`` is when written to (capsys swaps it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


@pytest.fixture(autouse=True)
def logs_on_stderr() -> Iterator[None]:
    # As the CLI entrypoint must configure it: stdout is for what a command prints.
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(_CurrentStderr()))  # type: ignore[arg-type]
    yield
    structlog.reset_defaults()


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="compliance")
    add_commands(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


async def _run(container: AccessContainer, *argv: str) -> int:
    args = _parse(*argv)
    code: int = await args.handler(args, container)
    return code


async def _rows(container: AccessContainer, table: sa.Table) -> list[str]:
    async with container.database().engine.connect() as connection:
        return [repr(dict(row)) for row in (await connection.execute(sa.select(table))).mappings()]


async def test_create_api_key_prints_the_key_alone_on_stdout_and_warns_on_stderr(
    container: AccessContainer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await _run(container, "create-api-key", "--customer-id", "cust-1")

    out, err = capsys.readouterr()
    key = out.strip()
    assert code == 0
    assert out == f"{key}\n"
    assert "will not be shown again" in err
    assert key not in err
    assert await container.authenticate_api_key()(key) == "cust-1"
    [row] = await _rows(container, api_keys)
    assert key not in row


async def test_revoke_api_key_stops_the_key_and_may_be_repeated(
    container: AccessContainer, capsys: pytest.CaptureFixture[str]
) -> None:
    await _run(container, "create-api-key", "--customer-id", "cust-1")
    key = capsys.readouterr().out.strip()
    key_id = key.split("_")[1]

    first = await _run(container, "revoke-api-key", key_id)
    second = await _run(container, "revoke-api-key", key_id)

    assert (first, second) == (0, 0)
    assert f"API key {key_id} of customer cust-1 is revoked" in capsys.readouterr().out
    assert await container.authenticate_api_key()(key) is None


async def test_revoking_an_unknown_key_fails_with_a_message(
    container: AccessContainer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await _run(container, "revoke-api-key", "0123456789abcdef")

    assert code == 1
    assert "No API key has the id 0123456789abcdef" in capsys.readouterr().err


async def test_create_api_key_needs_a_customer_id(
    container: AccessContainer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await _run(container, "create-api-key", "--customer-id", " ")

    assert code == 1
    assert "customerId" in capsys.readouterr().err
    assert await _rows(container, api_keys) == []


async def test_create_reviewer_reads_the_password_from_the_environment(
    container: AccessContainer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REVIEWER_PASSWORD", PASSWORD)

    code = await _run(container, "create-reviewer", "--username", "Alice", "--role", "supervisor")

    assert code == 0
    assert "Created reviewer alice (SUPERVISOR)" in capsys.readouterr().out
    assert await container.issue_reviewer_token()("alice", PASSWORD)
    [row] = await _rows(container, reviewers)
    assert PASSWORD not in row


async def test_create_reviewer_reads_the_password_from_stdin_without_its_newline(
    container: AccessContainer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REVIEWER_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{PASSWORD}\n"))

    code = await _run(container, "create-reviewer", "--username", "bob", "--role", "REVIEWER")

    assert code == 0
    assert await container.issue_reviewer_token()("bob", PASSWORD)
    with pytest.raises(InvalidCredentials):
        await container.issue_reviewer_token()("bob", f"{PASSWORD}\n")


async def test_a_weak_password_is_refused_without_being_echoed(
    container: AccessContainer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REVIEWER_PASSWORD", "alice")

    code = await _run(container, "create-reviewer", "--username", "alice", "--role", "REVIEWER")

    err = capsys.readouterr().err
    assert code == 1
    assert "password: password must have at least 12 characters" in err
    assert "password must not be the username" in err
    assert await _rows(container, reviewers) == []


async def test_a_duplicate_reviewer_fails(
    container: AccessContainer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REVIEWER_PASSWORD", PASSWORD)
    await _run(container, "create-reviewer", "--username", "alice", "--role", "REVIEWER")

    code = await _run(container, "create-reviewer", "--username", "alice", "--role", "REVIEWER")

    assert code == 1
    assert "already exists" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ("create-reviewer", "--username", "a", "--role", "REVIEWER", "--password", PASSWORD),
        ("create-reviewer", "--username", "a", "--role", "ADMIN"),
        ("create-api-key",),
        ("revoke-api-key",),
    ],
)
def test_bad_command_lines_are_usage_errors(argv: tuple[str, ...]) -> None:
    with pytest.raises(SystemExit) as exited:
        _parse(*argv)

    assert exited.value.code == 2
