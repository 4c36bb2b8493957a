"""The vault's repositories on PostgreSQL and SQLite: data keys, card secrets, rotation batches."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from building_blocks.persistence import Database
from cards.adapters.crypto.aes_gcm import AesGcmCipher
from cards.adapters.crypto.cvv import HmacCvvCalculator
from cards.adapters.crypto.fingerprint import HmacFingerprinter
from cards.adapters.crypto.key_providers import StaticKeyProvider
from cards.adapters.persistence import vault_tables
from cards.adapters.persistence.vault_repository import (
    SqlAlchemyCardSecretRepository,
    SqlAlchemyDataKeyRepository,
    SqlAlchemySealedSecretRepository,
)
from cards.adapters.persistence.vault_tables import card_secrets, data_keys
from cards.application.vault.ports import SecretAlreadyStored, WrappedDataKey, WrappedKey
from cards.application.vault.rotation import RotateKeys
from cards.application.vault.vault import CardVault
from cards.domain.pan import Pan, luhn_check_digit
from cards.domain.secrets import Pin, SealedSecret, SecretField

pytestmark = pytest.mark.integration

NOW = datetime(2030, 6, 1, 12, 0, 0, 123456, tzinfo=UTC)
KEK_1 = bytes(range(32))
KEK_2 = bytes(range(100, 132))
VISA = Pan("4242424242424242")
MASTERCARD = Pan("5555555555554444")


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path}/cards.db"


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, schema="cards")
    await database.create_schema(vault_tables.metadata)
    yield database
    await database.dispose()


def vault(database: Database, *kek_versions: int) -> CardVault:
    keks = {1: KEK_1, 2: KEK_2}
    return CardVault(
        StaticKeyProvider({v: keks[v] for v in kek_versions or (1,)}),
        SqlAlchemyDataKeyRepository(database),
        AesGcmCipher(),
        HmacFingerprinter(b"f" * 32),
        HmacCvvCalculator(b"c" * 32),
        clock=lambda: NOW,
    )


async def store(database: Database, sealed: SealedSecret, fingerprint: str | None = None) -> None:
    async with database.sessions.begin() as session:
        await SqlAlchemyCardSecretRepository(session, clock=lambda: NOW).add(sealed, fingerprint)


async def stored(database: Database, card_id: str, field: SecretField) -> SealedSecret | None:
    async with database.sessions() as session:
        return await SqlAlchemyCardSecretRepository(session).get(card_id, field)


async def count(database: Database, table: sa.Table) -> int:
    async with database.sessions() as session:
        return int(await session.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


def data_key(tenant_id: str, version: int, blob: bytes, kek_version: int = 1) -> WrappedDataKey:
    return WrappedDataKey(
        tenant_id=tenant_id,
        version=version,
        wrapped=WrappedKey(kek_version, blob),
        created_at=NOW,
    )


async def test_data_keys_read_back_by_version_and_the_highest_is_current(
    database: Database,
) -> None:
    keys = SqlAlchemyDataKeyRepository(database)
    first, second = data_key("t-1", 1, b"\x00" * 40), data_key("t-1", 2, b"\x01" * 40, 2)

    assert await keys.current("t-1") is None
    assert await keys.add(first) == first
    assert await keys.add(second) == second
    await keys.add(data_key("t-2", 1, b"\x02" * 40))

    assert await keys.current("t-1") == second
    assert await keys.get("t-1", 1) == first
    assert await keys.get("t-1", 3) is None
    assert await keys.tenants() == ["t-1", "t-2"]


async def test_adding_an_existing_data_key_version_returns_the_stored_one(
    database: Database,
) -> None:
    keys = SqlAlchemyDataKeyRepository(database)
    winner = data_key("t-1", 1, b"\x0a" * 40)
    await keys.add(winner)

    assert await keys.add(data_key("t-1", 1, b"\x0b" * 40)) == winner
    assert await count(database, data_keys) == 1


async def test_concurrent_first_seals_of_a_tenant_end_with_one_data_key_all_use(
    database: Database,
) -> None:
    vaults = [vault(database) for _ in range(8)]

    sealed = await asyncio.gather(
        *(v.seal("t-1", f"card-{n}", SecretField.PIN, b"1234") for n, v in enumerate(vaults))
    )

    assert await count(database, data_keys) == 1
    assert {s.key_version for s in sealed} == {1}
    reader = vault(database)
    assert [await reader.open(s) for s in sealed] == [b"1234"] * 8


async def test_a_card_secret_is_stored_read_updated_and_removed_in_the_cards_transaction(
    database: Database,
) -> None:
    cards_vault = vault(database)
    pan = await cards_vault.seal_pan("t-1", "card-1", VISA)
    pin = await cards_vault.seal_pin("t-1", "card-1", Pin("1234"))
    await store(database, pan.sealed, pan.fingerprint)
    await store(database, pin)

    assert await stored(database, "card-1", SecretField.PAN) == pan.sealed
    assert await cards_vault.open_pan(pan.sealed) == VISA

    new_pin = await cards_vault.seal_pin("t-1", "card-1", Pin("987654"))
    async with database.sessions.begin() as session:
        secrets = SqlAlchemyCardSecretRepository(session)
        assert await secrets.update(new_pin)
        assert not await secrets.update(await cards_vault.seal_pin("t-1", "card-2", Pin("1111")))
        assert await secrets.card_with_fingerprint(pan.fingerprint) == "card-1"
        assert await secrets.card_with_fingerprint(cards_vault.fingerprint(MASTERCARD)) is None

    read_pin = await stored(database, "card-1", SecretField.PIN)
    assert read_pin is not None
    assert await cards_vault.open_pin(read_pin) == Pin("987654")

    async with database.sessions.begin() as session:
        secrets = SqlAlchemyCardSecretRepository(session)
        assert await secrets.remove("card-1", SecretField.PIN)
        assert not await secrets.remove("card-1", SecretField.PIN)
    assert await stored(database, "card-1", SecretField.PIN) is None


async def test_a_secret_never_written_is_not_there(database: Database) -> None:
    assert await stored(database, "card-1", SecretField.PAN) is None


async def test_one_pan_is_never_stored_twice_and_the_transaction_stays_usable(
    database: Database,
) -> None:
    cards_vault = vault(database)
    first = await cards_vault.seal_pan("t-1", "card-1", VISA)
    await store(database, first.sealed, first.fingerprint)
    copy = await cards_vault.seal_pan("t-2", "card-2", VISA)
    again = await cards_vault.seal_pan("t-1", "card-1", MASTERCARD)
    other = await cards_vault.seal_pan("t-1", "card-3", MASTERCARD)

    async with database.sessions.begin() as session:
        secrets = SqlAlchemyCardSecretRepository(session, clock=lambda: NOW)
        with pytest.raises(SecretAlreadyStored):
            await secrets.add(copy.sealed, copy.fingerprint)
        with pytest.raises(SecretAlreadyStored) as refused:
            await secrets.add(again.sealed, again.fingerprint)
        # ON CONFLICT DO NOTHING: the refusals did not abort the PostgreSQL transaction.
        await secrets.add(other.sealed, other.fingerprint)

    assert "4242" not in str(refused.value)
    assert await count(database, card_secrets) == 2
    assert await stored(database, "card-2", SecretField.PAN) is None


async def test_the_database_refuses_a_pan_without_fingerprint_or_a_pin_with_one(
    database: Database,
) -> None:
    cards_vault = vault(database)
    pan = await cards_vault.seal_pan("t-1", "card-1", VISA)
    pin = await cards_vault.seal_pin("t-1", "card-1", Pin("1234"))

    with pytest.raises(IntegrityError):
        await store(database, pan.sealed)
    with pytest.raises(IntegrityError):
        await store(database, pin, "ab" * 32)


async def test_the_database_refuses_a_secret_under_a_data_key_it_does_not_hold(
    database: Database,
) -> None:
    sealed = await vault(database).seal_pin("t-1", "card-1", Pin("1234"))
    orphan = SealedSecret(
        tenant_id="t-1",
        card_id="card-2",
        field=SecretField.PIN,
        key_version=7,
        ciphertext=sealed.ciphertext,
    )

    with pytest.raises(IntegrityError):
        await store(database, orphan)


def pan_of(tenant_id: str, n: int) -> Pan:
    body = f"4{len(tenant_id)}{n:013d}"
    return Pan(body + luhn_check_digit(body))


async def seal_and_store(database: Database, tenants: Sequence[str], cards: int) -> None:
    """Each tenant's cards, with a PAN and a PIN each, sealed under KEK 1 and data key 1."""
    old = vault(database, 1)
    for tenant_id in tenants:
        for n in range(cards):
            card_id = f"{tenant_id}-card-{n:02d}"
            pan = await old.seal_pan(tenant_id, card_id, pan_of(tenant_id, n))
            await store(database, pan.sealed, pan.fingerprint)
            await store(database, await old.seal_pin(tenant_id, card_id, Pin(f"{n:04d}")))


async def opened(database: Database, reader: CardVault) -> dict[str, tuple[Pan, Pin]]:
    """Every stored card's PAN and PIN, opened by ``reader``."""
    async with database.sessions() as session:
        card_ids = sorted(set((await session.scalars(sa.select(card_secrets.c.card_id))).all()))
    found = {}
    for card_id in card_ids:
        pan = await stored(database, card_id, SecretField.PAN)
        pin = await stored(database, card_id, SecretField.PIN)
        assert pan is not None
        assert pin is not None
        found[card_id] = (await reader.open_pan(pan), await reader.open_pin(pin))
    return found


def sealed_cards(tenants: Sequence[str], cards: int) -> dict[str, tuple[Pan, Pin]]:
    """What ``seal_and_store`` sealed, card by card."""
    return {
        f"{tenant_id}-card-{n:02d}": (pan_of(tenant_id, n), Pin(f"{n:04d}"))
        for tenant_id in tenants
        for n in range(cards)
    }


async def key_versions(database: Database) -> list[tuple[str, int]]:
    async with database.sessions() as session:
        query = sa.select(card_secrets.c.tenant_id, card_secrets.c.key_version).distinct()
        return sorted((t, v) for t, v in (await session.execute(query)).all())


async def test_rotation_rewraps_and_reseals_in_batches_against_the_real_tables(
    database: Database,
) -> None:
    tenants = ["tenant-a", "tenant-bb"]
    await seal_and_store(database, tenants, cards=4)
    keys = StaticKeyProvider({1: KEK_1, 2: KEK_2})
    rotate = RotateKeys(
        keys,
        SqlAlchemyDataKeyRepository(database),
        SqlAlchemySealedSecretRepository(database),
        vault(database, 1, 2),
        batch_size=3,
    )

    report = await rotate(new_data_keys=True)

    assert (report.data_keys_rewrapped, report.data_keys_created) == (2, 2)
    assert (report.secrets_resealed, report.secrets_skipped, report.secrets_unreadable) == (
        16,
        0,
        0,
    )
    assert report.batches == 1 + 2 * 3  # one batch of data keys, three of 3+3+2 per tenant
    assert await key_versions(database) == [("tenant-a", 2), ("tenant-bb", 2)]
    async with database.sessions() as session:
        keks = set((await session.execute(sa.select(data_keys.c.kek_version))).scalars())
    assert keks == {2}
    # KEK 1 retired: everything opens under KEK 2 alone, in a fresh process.
    assert await opened(database, vault(database, 2)) == sealed_cards(tenants, 4)
    assert await rotate() == type(report)(kek_version=2)


async def test_older_than_pages_through_a_tenants_old_secrets_once(database: Database) -> None:
    await seal_and_store(database, ["tenant-a", "tenant-bb"], cards=3)
    secrets = SqlAlchemySealedSecretRepository(database)

    pages: list[list[tuple[str, SecretField]]] = []
    after: SealedSecret | None = None
    while page := await secrets.older_than("tenant-a", 2, 4, after=after):
        pages.append([(s.card_id, s.field) for s in page])
        after = page[-1]

    assert pages == [
        [
            ("tenant-a-card-00", SecretField.PAN),
            ("tenant-a-card-00", SecretField.PIN),
            ("tenant-a-card-01", SecretField.PAN),
            ("tenant-a-card-01", SecretField.PIN),
        ],
        [
            ("tenant-a-card-02", SecretField.PAN),
            ("tenant-a-card-02", SecretField.PIN),
        ],
    ]
    assert await secrets.older_than("tenant-a", 1, 10) == []


async def test_a_secret_written_during_rotation_is_not_clobbered(database: Database) -> None:
    await seal_and_store(database, ["tenant-a"], cards=2)
    writer = vault(database, 1)
    await writer.create_data_key("tenant-a", 2)
    secrets = SqlAlchemySealedSecretRepository(database)
    batch = await secrets.older_than("tenant-a", 2, 10)
    resealed = [
        (old, await writer.seal(old.tenant_id, old.card_id, old.field, b"9")) for old in batch
    ]

    # Meanwhile the card holder changes the PIN of card 00, in the card's own transaction.
    changed = await writer.seal_pin("tenant-a", "tenant-a-card-00", Pin("4321"))
    async with database.sessions.begin() as session:
        assert await SqlAlchemyCardSecretRepository(session).update(changed)

    assert await secrets.replace(resealed) == len(batch) - 1
    assert await stored(database, "tenant-a-card-00", SecretField.PIN) == changed
    assert await writer.open_pin(changed) == Pin("4321")


class WriteDuringRotation(SqlAlchemySealedSecretRepository):
    """The real repository; a PIN is changed by the card's own transaction before each batch."""

    def __init__(self, database: Database, writer: CardVault) -> None:
        super().__init__(database)
        self._database_ = database
        self._writer = writer
        self.written: list[SealedSecret] = []

    async def replace(self, changes: Sequence[tuple[SealedSecret, SealedSecret]]) -> int:
        if not self.written:
            new_pin = await self._writer.seal_pin("tenant-a", "tenant-a-card-01", Pin("7777"))
            async with self._database_.sessions.begin() as session:
                await SqlAlchemyCardSecretRepository(session).update(new_pin)
            self.written.append(new_pin)
        return await super().replace(changes)


async def test_a_full_rotation_keeps_a_pin_changed_while_it_runs(database: Database) -> None:
    await seal_and_store(database, ["tenant-a"], cards=3)
    writer = vault(database, 1)
    secrets = WriteDuringRotation(database, writer)
    rotate = RotateKeys(
        StaticKeyProvider({1: KEK_1}),
        SqlAlchemyDataKeyRepository(database),
        secrets,
        vault(database, 1),
        batch_size=100,
    )

    report = await rotate(new_data_keys=True)

    assert (report.secrets_resealed, report.secrets_skipped) == (5, 1)
    assert await stored(database, "tenant-a-card-01", SecretField.PIN) == secrets.written[0]
    assert await key_versions(database) == [("tenant-a", 2)]
    expected = sealed_cards(["tenant-a"], 3)
    expected["tenant-a-card-01"] = (expected["tenant-a-card-01"][0], Pin("7777"))
    assert await opened(database, vault(database, 1)) == expected


async def test_replacing_needs_the_same_tenant_card_and_field(database: Database) -> None:
    await seal_and_store(database, ["tenant-a"], cards=2)
    secrets = SqlAlchemySealedSecretRepository(database)
    first, second = (await secrets.older_than("tenant-a", 2, 2))[:2]

    with pytest.raises(ValueError, match="same tenant, card and field"):
        await secrets.replace([(first, second)])


async def test_a_stale_rewrap_changes_nothing(database: Database) -> None:
    keys = SqlAlchemyDataKeyRepository(database)
    original = data_key("t-1", 1, b"\x00" * 40)
    await keys.add(original)
    assert await keys.rewrap([(original, WrappedKey(2, b"\x01" * 40))]) == 1

    assert await keys.rewrap([(original, WrappedKey(3, b"\x02" * 40))]) == 0
    assert await keys.wrapped_before(3, 10) == [data_key("t-1", 1, b"\x01" * 40, 2)]
    assert await keys.wrapped_before(2, 10) == []
