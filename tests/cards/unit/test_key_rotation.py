"""Key rotation: rewrapping data keys under a new KEK, new data-key versions, online resealing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from cards.application.vault.ports import KeyUnavailable, WrappedDataKey, WrappedKey
from cards.application.vault.rotation import RotateKeys, RotationReport
from cards.application.vault.vault import CardVault
from cards.domain.secrets import SealedSecret, SecretField
from tests.cards.vault_fakes import (
    FakeDataKeyRepository,
    FakeSealedSecretRepository,
    build_vault,
    kek_versions,
    key_provider,
)

pytestmark = pytest.mark.unit


class Vaults:
    """One tenant-keyed store of secrets, opened by vaults on different keyrings."""

    def __init__(self) -> None:
        self.data_keys = FakeDataKeyRepository()
        self.secrets = FakeSealedSecretRepository()
        self.plaintexts: dict[tuple[str, SecretField], bytes] = {}

    def vault(self, *kek_versions: int) -> CardVault:
        return build_vault(key_provider(*kek_versions), self.data_keys)

    def rotation(self, *kek_versions: int, batch_size: int = 2) -> RotateKeys:
        return RotateKeys(
            key_provider(*kek_versions),
            self.data_keys,
            self.secrets,
            self.vault(*kek_versions),
            batch_size=batch_size,
        )

    async def seal(
        self, vault: CardVault, tenant_id: str, card_id: str, field: SecretField = SecretField.PAN
    ) -> SealedSecret:
        plaintext = f"{tenant_id}/{card_id}/{field}".encode()
        sealed = await vault.seal(tenant_id, card_id, field, plaintext)
        self.secrets.put(sealed)
        self.plaintexts[(card_id, field)] = plaintext
        return sealed

    async def all_open(self, vault: CardVault) -> bool:
        opened = {slot: await vault.open(s) for slot, s in self.secrets.rows.items()}
        return opened == self.plaintexts

    def key_versions(self) -> list[int]:
        return sorted({s.key_version for s in self.secrets.rows.values()})


@pytest.fixture
async def vaults() -> Vaults:
    store = Vaults()
    old = store.vault(1)
    for tenant in ("tenant-a", "tenant-b"):
        for n in range(5):
            await store.seal(old, tenant, f"{tenant}-card-{n}")
        await store.seal(old, tenant, f"{tenant}-card-0", SecretField.PIN)
    return store


async def test_a_kek_rotation_rewraps_every_data_key_and_touches_no_secret(
    vaults: Vaults,
) -> None:
    before = dict(vaults.secrets.rows)

    report = await vaults.rotation(1, 2)()

    assert report == RotationReport(kek_version=2, data_keys_rewrapped=2, batches=1)
    assert set(kek_versions(vaults.data_keys).values()) == {2}
    assert vaults.secrets.rows == before
    # The old KEK can be retired: everything opens with the new one alone.
    assert await vaults.all_open(vaults.vault(2))


async def test_rewrapping_goes_in_batches(vaults: Vaults) -> None:
    for n in range(3):
        await vaults.seal(vaults.vault(1), f"tenant-{n}", "card-x")

    report = await vaults.rotation(1, 2, batch_size=2)()

    assert report.data_keys_rewrapped == 5
    assert report.batches == 3
    assert await vaults.all_open(vaults.vault(2))


async def test_new_data_keys_reseal_every_secret_in_batches_under_the_new_version(
    vaults: Vaults,
) -> None:
    report = await vaults.rotation(1, batch_size=2)(new_data_keys=True)

    assert report == RotationReport(
        kek_version=1, data_keys_created=2, secrets_resealed=12, batches=6
    )
    assert sorted(vaults.data_keys.keys) == [
        ("tenant-a", 1),
        ("tenant-a", 2),
        ("tenant-b", 1),
        ("tenant-b", 2),
    ]
    assert vaults.key_versions() == [2]
    assert await vaults.all_open(vaults.vault(1))


async def test_a_full_rotation_moves_to_a_new_kek_and_new_data_keys_at_once(
    vaults: Vaults,
) -> None:
    report = await vaults.rotation(1, 2, batch_size=100)(new_data_keys=True)

    assert (report.data_keys_rewrapped, report.data_keys_created) == (2, 2)
    assert report.secrets_resealed == 12
    assert set(kek_versions(vaults.data_keys).values()) == {2}
    assert await vaults.all_open(vaults.vault(2))


async def test_old_versions_stay_readable_while_rotation_has_not_reached_them(
    vaults: Vaults,
) -> None:
    vault = vaults.vault(1)
    untouched = dict(vaults.secrets.rows)
    await vault.create_data_key("tenant-a", 2)

    fresh = await vaults.seal(vault, "tenant-a", "card-new")

    assert fresh.key_version == 2
    assert {s.key_version for s in untouched.values()} == {1}
    assert await vaults.all_open(vault)


async def test_a_second_run_finds_nothing_left_to_do(vaults: Vaults) -> None:
    await vaults.rotation(1, 2)(new_data_keys=True)

    again = await vaults.rotation(1, 2)()

    assert again == RotationReport(kek_version=2)


async def test_a_run_without_new_data_keys_finishes_an_interrupted_rotation(
    vaults: Vaults,
) -> None:
    vault = vaults.vault(1)
    await vault.create_data_key("tenant-b", 2)  # rotation stopped after making the version

    report = await vaults.rotation(1)()

    assert report.secrets_resealed == 6
    assert report.data_keys_created == 0
    assert {s.key_version for s in vaults.secrets.rows.values() if s.tenant_id == "tenant-b"} == {2}
    assert {s.key_version for s in vaults.secrets.rows.values() if s.tenant_id == "tenant-a"} == {1}


async def test_a_secret_written_during_rotation_keeps_the_written_value(vaults: Vaults) -> None:
    writer = vaults.vault(1)
    written: list[SealedSecret] = []

    async def change_a_pin_meanwhile() -> None:
        if not written:
            new_pin = await writer.seal("tenant-a", "tenant-a-card-0", SecretField.PIN, b"9999")
            vaults.secrets.put(new_pin)
            vaults.plaintexts[("tenant-a-card-0", SecretField.PIN)] = b"9999"
            written.append(new_pin)

    vaults.secrets.before_replace = change_a_pin_meanwhile

    report = await vaults.rotation(1, batch_size=100)(new_data_keys=True)

    assert report.secrets_skipped == 1
    assert report.secrets_resealed == 11
    assert vaults.secrets.rows[("tenant-a-card-0", SecretField.PIN)] == written[0]
    assert written[0].key_version == 2  # a write during rotation already uses the new version
    assert vaults.key_versions() == [2]
    assert await vaults.all_open(writer)


async def test_an_unreadable_secret_is_counted_left_alone_and_does_not_stop_rotation(
    vaults: Vaults,
) -> None:
    slot = ("tenant-a-card-2", SecretField.PAN)
    tampered = bytearray(vaults.secrets.rows[slot].ciphertext)
    tampered[-1] ^= 1
    vaults.secrets.rows[slot] = replace(vaults.secrets.rows[slot], ciphertext=bytes(tampered))

    report = await vaults.rotation(1, batch_size=2)(new_data_keys=True)

    assert report.secrets_unreadable == 1
    assert report.secrets_resealed == 11
    assert vaults.secrets.rows[slot].ciphertext == bytes(tampered)


class ContendedDataKeys(FakeDataKeyRepository):
    """Every rewrap finds the keys changed since they were read, and they stay old."""

    def __init__(self) -> None:
        super().__init__()
        self.rewraps = 0

    async def rewrap(self, changes: Sequence[tuple[WrappedDataKey, WrappedKey]]) -> int:
        self.rewraps += 1
        return 0


async def test_rotation_stops_instead_of_chasing_keys_it_can_never_rewrap() -> None:
    store = Vaults()
    store.data_keys = ContendedDataKeys()
    await store.seal(store.vault(1), "tenant-a", "card-1")

    report = await store.rotation(1, 2)()

    assert store.data_keys.rewraps == 1
    assert (report.data_keys_rewrapped, report.batches) == (0, 1)


async def test_a_data_key_under_a_kek_no_longer_configured_stops_rotation(
    vaults: Vaults,
) -> None:
    with pytest.raises(KeyUnavailable, match="version 1 is not configured"):
        await vaults.rotation(2, 3)()


async def test_a_tenant_without_secrets_still_gets_a_new_version(vaults: Vaults) -> None:
    await vaults.vault(1).create_data_key("tenant-empty", 1)

    report = await vaults.rotation(1)(new_data_keys=True)

    assert report.data_keys_created == 3
    assert ("tenant-empty", 2) in vaults.data_keys.keys


def test_a_rotation_batch_holds_at_least_one_row() -> None:
    with pytest.raises(ValueError, match="at least one row"):
        Vaults().rotation(1, batch_size=0)
