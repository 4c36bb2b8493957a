"""The ``rotate-keys`` command: rotates in batches, prints counts, audits every run, exit codes."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field, replace

import pytest

from cards.application.vault.rotation import DEFAULT_BATCH_SIZE, RotateKeys
from cards.domain.audit import AuditAction
from cards.domain.secrets import SealedSecret, SecretField
from cards.entrypoints.cli.keys import add_commands, rotate_keys
from tests.cards.audit_fakes import FakeAuditLog
from tests.cards.vault_fakes import (
    FakeDataKeyRepository,
    FakeSealedSecretRepository,
    build_vault,
    kek_versions,
    key_provider,
)

pytestmark = pytest.mark.unit


@dataclass
class Commands:
    """``KeyCommands`` as the container provides them, on one keyring."""

    kek_versions: tuple[int, ...]
    data_keys: FakeDataKeyRepository = field(default_factory=FakeDataKeyRepository)
    secrets: FakeSealedSecretRepository = field(default_factory=FakeSealedSecretRepository)
    log: FakeAuditLog = field(default_factory=FakeAuditLog)
    batch_sizes: list[int] = field(default_factory=list)

    def rotate_keys(self, *, batch_size: int) -> RotateKeys:
        self.batch_sizes.append(batch_size)
        keys = key_provider(*self.kek_versions)
        vault = build_vault(keys, self.data_keys)
        return RotateKeys(keys, self.data_keys, self.secrets, vault, batch_size=batch_size)

    def audit_recorder(self) -> FakeAuditLog:
        return self.log


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="cards")
    add_commands(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


async def sealed_under_kek_1(count: int = 3) -> Commands:
    """Secrets of two tenants sealed while only KEK version 1 existed."""
    commands = Commands(kek_versions=(1,))
    vault = build_vault(key_provider(1), commands.data_keys)
    for n in range(count):
        tenant = "tenant-a" if n % 2 == 0 else "tenant-b"
        commands.secrets.put(await vault.seal(tenant, f"card-{n}", SecretField.PAN, b"x%d" % n))
    return commands


async def run(commands: Commands, *argv: str) -> int:
    args = parse("rotate-keys", *argv)
    code: int = await args.handler(args, commands)
    return code


def test_the_command_is_registered_with_its_defaults() -> None:
    args = parse("rotate-keys")

    assert (args.handler, args.new_data_keys, args.batch_size, args.actor) == (
        rotate_keys,
        False,
        DEFAULT_BATCH_SIZE,
        "operator",
    )


@pytest.mark.parametrize("value", ["0", "-3", "ten"])
def test_a_batch_size_that_is_not_a_positive_number_is_refused(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        parse("rotate-keys", "--batch-size", value)

    assert "batch size" in capsys.readouterr().err


async def test_a_kek_rotation_rewraps_the_data_keys_prints_counts_and_is_audited(
    capsys: pytest.CaptureFixture[str],
) -> None:
    commands = await sealed_under_kek_1()
    commands.kek_versions = (1, 2)

    code = await run(commands, "--batch-size", "1", "--actor", "ops-anna")

    assert code == 0
    assert commands.batch_sizes == [1]
    assert set(kek_versions(commands.data_keys).values()) == {2}
    assert capsys.readouterr().out == (
        "key rotation done under KEK version 2: 2 data keys rewrapped, 0 created, "
        "0 secrets resealed, 0 skipped, 0 unreadable (2 batches)\n"
    )
    [entry] = commands.log.stored
    event = entry.event
    assert (event.action, event.actor, event.channel, event.subject) == (
        AuditAction.KEY_ROTATED,
        "ops-anna",
        "CLI",
        "kek:2",
    )
    assert dict(event.details) == {
        "result": "DONE",
        "newDataKeys": "false",
        "kekVersion": "2",
        "dataKeysRewrapped": "2",
        "dataKeysCreated": "0",
        "secretsResealed": "0",
        "secretsSkipped": "0",
        "secretsUnreadable": "0",
        "batches": "2",
    }


async def test_new_data_keys_reseal_every_secret_under_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    commands = await sealed_under_kek_1()

    code = await run(commands, "--new-data-keys")

    assert code == 0
    assert {s.key_version for s in commands.secrets.rows.values()} == {2}
    assert "2 created, 3 secrets resealed" in capsys.readouterr().out
    details = commands.log.stored[0].event.details
    assert (details["newDataKeys"], details["secretsResealed"]) == ("true", "3")


async def test_secrets_that_do_not_open_are_left_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    commands = await sealed_under_kek_1()
    slot = ("card-0", SecretField.PAN)
    old: SealedSecret = commands.secrets.rows[slot]
    tampered = replace(old, ciphertext=old.ciphertext[:-1] + bytes([old.ciphertext[-1] ^ 1]))
    commands.secrets.rows[slot] = tampered

    code = await run(commands, "--new-data-keys")

    assert code == 2
    assert commands.secrets.rows[slot] == tampered
    assert "1 unreadable" in capsys.readouterr().out
    details = commands.log.stored[0].event.details
    assert (details["result"], details["secretsUnreadable"]) == (
        "DONE_WITH_UNREADABLE_SECRETS",
        "1",
    )


async def test_a_rotation_missing_a_kek_fails_with_exit_1_and_is_audited(
    capsys: pytest.CaptureFixture[str],
) -> None:
    commands = await sealed_under_kek_1()
    # The keyring lost version 1 before the data keys wrapped under it were rewrapped.
    commands.kek_versions = (2,)

    code = await run(commands)

    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert err.startswith("key rotation FAILED: ")
    assert "(KEY_UNAVAILABLE)" in err
    [entry] = commands.log.stored
    assert dict(entry.event.details) == {
        "result": "FAILED",
        "newDataKeys": "false",
        "error": "KEY_UNAVAILABLE",
    }


async def test_nothing_to_rotate_is_a_clean_run(capsys: pytest.CaptureFixture[str]) -> None:
    commands = Commands(kek_versions=(1,))

    assert await run(commands) == 0
    assert "0 data keys rewrapped" in capsys.readouterr().out
    assert commands.log.stored[0].event.details["batches"] == "0"
