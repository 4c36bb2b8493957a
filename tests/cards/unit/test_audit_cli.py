"""The ``verify-audit`` command: exit 0 and one line when intact, 1 and where when broken."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace

import pytest
import structlog

from cards.application.audit.verify import VerifyAuditLog
from cards.domain.audit import AuditAction
from cards.entrypoints.cli.audit import add_commands, verify_audit
from tests.cards.audit_fakes import FakeAuditLog, FakeClock, audit_mac, event

pytestmark = pytest.mark.unit


@dataclass
class Commands:
    """``AuditCommands`` as the container provides them."""

    log: FakeAuditLog

    def verify_audit_log(self) -> VerifyAuditLog:
        return VerifyAuditLog(self.log, audit_mac(), recorder=self.log, clock=FakeClock())


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="cards")
    add_commands(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


async def run(
    log: FakeAuditLog, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str]:
    args = parse("verify-audit", *argv)
    # Captured, so stdout holds what the command prints (the entrypoint logs to stderr).
    with structlog.testing.capture_logs() as logged:
        code = await args.handler(args, Commands(log))
    captured = capsys.readouterr()
    assert [entry["event"] for entry in logged] == [
        "audit.verified" if code == 0 else "audit.broken"
    ]
    return code, captured.out, captured.err


@pytest.fixture
async def log() -> FakeAuditLog:
    log = FakeAuditLog()
    for number in range(1, 4):
        await log.append(event(number))
    return log


def test_the_command_is_registered_with_its_handler() -> None:
    args = parse("verify-audit")

    assert (args.command, args.handler, args.actor) == ("verify-audit", verify_audit, "operator")


async def test_an_intact_log_exits_0_with_one_line(
    log: FakeAuditLog, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = await run(log, capsys)

    assert (code, out, err) == (0, "audit log intact: 3 entries verified\n", "")


async def test_a_broken_log_exits_1_saying_where_it_breaks(
    log: FakeAuditLog, capsys: pytest.CaptureFixture[str]
) -> None:
    log.overwrite(2, replace(log.at(2), event=replace(log.at(2).event, actor="mallory")))

    code, out, err = await run(log, capsys)

    assert code == 1
    assert out == "audit log BROKEN at sequence 2: MAC_MISMATCH (2 entries checked, head at 3)\n"
    assert "mallory" not in out + err


async def test_an_empty_log_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = await run(FakeAuditLog(), capsys)

    assert (code, out) == (0, "audit log intact: 0 entries verified\n")


async def test_the_check_is_recorded_under_the_given_actor(
    log: FakeAuditLog, capsys: pytest.CaptureFixture[str]
) -> None:
    await run(log, capsys, "--actor", "auditor-7")
    code, out, _ = await run(log, capsys)

    first_check = log.at(4).event
    assert (first_check.action, first_check.actor, first_check.channel) == (
        AuditAction.AUDIT_VERIFIED,
        "auditor-7",
        "CLI",
    )
    assert log.at(5).event.actor == "operator"
    # The second run verified the first run's own entry too.
    assert (code, out) == (0, "audit log intact: 4 entries verified\n")
