"""The card vault: sealing and opening, binding to the row, key versions, fingerprints, CVVs."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import replace

import pytest

from cards.adapters.crypto.aes_gcm import AesGcmCipher
from cards.adapters.crypto.cvv import HmacCvvCalculator
from cards.adapters.crypto.fingerprint import HmacFingerprinter
from cards.application.vault.ports import (
    KeyUnavailable,
    SecretUnreadable,
    WrappedDataKey,
    WrappedKey,
)
from cards.application.vault.vault import CardVault, associated_data
from cards.domain.expiry import Expiry
from cards.domain.pan import Pan, luhn_check_digit
from cards.domain.secrets import Pin, SealedSecret, SecretField
from tests.cards.vault_fakes import (
    CVV_KEY,
    KEK_1,
    FakeDataKeyRepository,
    build_vault,
    key_provider,
)

pytestmark = pytest.mark.unit

PAN = Pan("4242424242424242")
OTHER_PAN = Pan("5555555555554444")
EXPIRY = Expiry(month=7, year=2033)
SECRET = b"4242424242424242"


@pytest.fixture
def data_keys() -> FakeDataKeyRepository:
    return FakeDataKeyRepository()


@pytest.fixture
def vault(data_keys: FakeDataKeyRepository) -> CardVault:
    return build_vault(data_keys=data_keys)


async def test_a_sealed_secret_opens_to_what_was_sealed(vault: CardVault) -> None:
    sealed = await vault.seal("tenant-1", "card-1", SecretField.PAN, SECRET)

    assert (sealed.tenant_id, sealed.card_id, sealed.field) == ("tenant-1", "card-1", "PAN")
    assert SECRET not in sealed.ciphertext
    assert await vault.open(sealed) == SECRET


async def test_the_first_seal_of_a_tenant_makes_its_first_data_key_stored_wrapped(
    vault: CardVault, data_keys: FakeDataKeyRepository
) -> None:
    sealed = await vault.seal("tenant-1", "card-1", SecretField.PAN, SECRET)
    await vault.seal("tenant-1", "card-2", SecretField.PAN, SECRET)

    assert list(data_keys.keys) == [("tenant-1", 1)]
    stored = data_keys.keys[("tenant-1", 1)]
    assert sealed.key_version == 1
    assert stored.wrapped.kek_version == 1
    assert len(stored.wrapped.blob) == 40  # RFC 3394: the 32-byte key plus an 8-byte check


async def test_each_tenant_has_its_own_data_key(
    vault: CardVault, data_keys: FakeDataKeyRepository
) -> None:
    one = await vault.seal("tenant-1", "card-1", SecretField.PAN, SECRET)
    two = await vault.seal("tenant-2", "card-1", SecretField.PAN, SECRET)

    assert sorted(data_keys.keys) == [("tenant-1", 1), ("tenant-2", 1)]
    moved = replace(one, tenant_id="tenant-2", card_id="card-1")
    with pytest.raises(SecretUnreadable):
        await vault.open(moved)
    assert await vault.open(two) == SECRET


async def test_sealing_the_same_secret_twice_gives_different_ciphertexts(vault: CardVault) -> None:
    first = await vault.seal("tenant-1", "card-1", SecretField.PAN, SECRET)
    second = await vault.seal("tenant-1", "card-1", SecretField.PAN, SECRET)

    assert first.ciphertext != second.ciphertext


async def test_every_ciphertext_names_its_key_version_in_its_header(vault: CardVault) -> None:
    sealed = await vault.seal("tenant-1", "card-1", SecretField.PIN, b"1234")

    assert sealed.ciphertext[0] == 1  # format
    assert int.from_bytes(sealed.ciphertext[1:5], "big") == sealed.key_version == 1
    assert AesGcmCipher().key_version(sealed.ciphertext) == 1


@pytest.mark.parametrize("position", [0, 1, 4, 5, 16, 17, -17, -1])
async def test_a_ciphertext_altered_anywhere_is_refused(vault: CardVault, position: int) -> None:
    sealed = await vault.seal("tenant-1", "card-1", SecretField.PAN, SECRET)
    altered = bytearray(sealed.ciphertext)
    altered[position] ^= 0x01

    with pytest.raises(SecretUnreadable) as refused:
        await vault.open(replace(sealed, ciphertext=bytes(altered)))

    assert "4242" not in str(refused.value)


@pytest.mark.parametrize(
    "moved",
    [
        {"card_id": "card-2"},
        {"field": SecretField.PIN},
        {"tenant_id": "tenant-2"},
    ],
)
async def test_a_ciphertext_copied_to_another_card_field_or_tenant_is_refused(
    vault: CardVault, moved: dict[str, object]
) -> None:
    await vault.seal("tenant-2", "card-9", SecretField.PAN, SECRET)  # tenant-2 has a key too
    sealed = await vault.seal("tenant-1", "card-1", SecretField.PAN, SECRET)

    with pytest.raises(SecretUnreadable):
        await vault.open(replace(sealed, **moved))  # type: ignore[arg-type]


async def test_a_row_claiming_another_key_version_than_its_ciphertext_is_refused(
    vault: CardVault,
) -> None:
    sealed = await vault.seal("tenant-1", "card-1", SecretField.PAN, SECRET)

    with pytest.raises(SecretUnreadable):
        await vault.open(replace(sealed, key_version=2))


@pytest.mark.parametrize(
    "ciphertext", [b"", b"\x01\x00\x00\x00\x01" + b"\x00" * 27, b"\x02" + b"\x00" * 40]
)
async def test_a_truncated_or_foreign_ciphertext_is_refused(
    vault: CardVault, ciphertext: bytes
) -> None:
    await vault.seal("tenant-1", "card-0", SecretField.PAN, SECRET)
    sealed = SealedSecret(
        tenant_id="tenant-1",
        card_id="card-1",
        field=SecretField.PAN,
        key_version=1,
        ciphertext=ciphertext,
    )

    with pytest.raises(SecretUnreadable):
        await vault.open(sealed)


def test_associated_data_tells_apart_triples_that_concatenate_alike() -> None:
    assert associated_data("ab", "c", SecretField.PAN) != associated_data(
        "a", "bc", SecretField.PAN
    )


async def test_another_process_opens_with_the_stored_data_key(
    vault: CardVault, data_keys: FakeDataKeyRepository
) -> None:
    sealed = await vault.seal("tenant-1", "card-1", SecretField.PAN, SECRET)

    restarted = build_vault(data_keys=data_keys)

    assert await restarted.open(sealed) == SECRET


async def test_opened_data_keys_are_cached_within_a_bound(
    data_keys: FakeDataKeyRepository,
) -> None:
    writer = build_vault(data_keys=data_keys)
    one = await writer.seal("tenant-1", "card-1", SecretField.PAN, SECRET)
    two = await writer.seal("tenant-2", "card-1", SecretField.PAN, SECRET)
    reader = build_vault(data_keys=data_keys, cache_size=1)

    for _ in range(3):
        await reader.open(one)
    assert data_keys.gets == 1
    await reader.open(two)
    await reader.open(one)
    assert data_keys.gets == 3
    assert repr(reader) == "CardVault(cached_keys=1)"


def test_a_vault_needs_room_for_one_cached_key() -> None:
    with pytest.raises(ValueError, match="at least one key"):
        build_vault(cache_size=0)


async def test_concurrent_first_seals_of_a_tenant_share_one_data_key(
    data_keys: FakeDataKeyRepository,
) -> None:
    vaults = [build_vault(data_keys=data_keys) for _ in range(5)]

    sealed = await asyncio.gather(
        *(v.seal("tenant-1", f"card-{i}", SecretField.PAN, SECRET) for i, v in enumerate(vaults))
    )

    assert list(data_keys.keys) == [("tenant-1", 1)]
    for v in vaults:
        assert [await v.open(s) for s in sealed] == [SECRET] * 5


async def test_the_creation_of_a_data_key_is_reported_once(
    data_keys: FakeDataKeyRepository,
) -> None:
    created: list[WrappedDataKey] = []

    async def record(key: WrappedDataKey) -> None:
        created.append(key)

    vaults = [build_vault(data_keys=data_keys, on_data_key_created=record) for _ in range(3)]
    await asyncio.gather(*(v.seal("tenant-1", "card-1", SecretField.PIN, b"1") for v in vaults))

    assert [(k.tenant_id, k.version) for k in created] == [("tenant-1", 1)]
    assert "blob" not in repr(created[0].wrapped)


async def test_a_missing_data_key_is_unavailable(vault: CardVault) -> None:
    sealed = await vault.seal("tenant-1", "card-1", SecretField.PAN, SECRET)

    lost = build_vault(data_keys=FakeDataKeyRepository())

    with pytest.raises(KeyUnavailable, match="version 1"):
        await lost.open(sealed)


async def test_a_data_key_wrapped_by_a_retired_kek_is_unavailable(
    data_keys: FakeDataKeyRepository,
) -> None:
    sealed = await build_vault(key_provider(1), data_keys).seal(
        "tenant-1", "card-1", SecretField.PAN, SECRET
    )

    with pytest.raises(KeyUnavailable, match="version 1 is not configured"):
        await build_vault(key_provider(2), data_keys).open(sealed)


async def test_a_data_key_whose_wrapping_was_altered_does_not_open(
    data_keys: FakeDataKeyRepository,
) -> None:
    sealed = await build_vault(data_keys=data_keys).seal(
        "tenant-1", "card-1", SecretField.PAN, SECRET
    )
    stored = data_keys.keys[("tenant-1", 1)]
    blob = bytes([stored.wrapped.blob[0] ^ 1]) + stored.wrapped.blob[1:]
    data_keys.keys[("tenant-1", 1)] = replace(stored, wrapped=WrappedKey(1, blob))

    with pytest.raises(SecretUnreadable, match="does not unwrap"):
        await build_vault(data_keys=data_keys).open(sealed)


async def test_a_pan_is_sealed_with_its_fingerprint_and_opens_as_a_pan(vault: CardVault) -> None:
    sealed_pan = await vault.seal_pan("tenant-1", "card-1", PAN)

    assert sealed_pan.sealed.field is SecretField.PAN
    assert sealed_pan.fingerprint == vault.fingerprint(PAN)
    assert await vault.open_pan(sealed_pan.sealed) == PAN
    assert "4242424242424242" not in repr(sealed_pan)


async def test_a_pin_is_sealed_and_opens_as_a_pin(vault: CardVault) -> None:
    sealed = await vault.seal_pin("tenant-1", "card-1", Pin("0427"))

    assert sealed.field is SecretField.PIN
    assert await vault.open_pin(sealed) == Pin("0427")


async def test_a_secret_of_one_kind_does_not_open_as_another(vault: CardVault) -> None:
    pin = await vault.seal_pin("tenant-1", "card-1", Pin("0427"))
    pan = (await vault.seal_pan("tenant-1", "card-1", PAN)).sealed

    with pytest.raises(SecretUnreadable, match="not a PAN"):
        await vault.open_pan(pin)
    with pytest.raises(SecretUnreadable, match="not a PIN"):
        await vault.open_pin(pan)


@pytest.mark.parametrize(
    ("field", "plaintext"), [(SecretField.PAN, b"4242424242424241"), (SecretField.PIN, b"\xff\xfe")]
)
async def test_a_sealed_value_that_is_no_pan_or_pin_is_unreadable(
    vault: CardVault, field: SecretField, plaintext: bytes
) -> None:
    sealed = await vault.seal("tenant-1", "card-1", field, plaintext)
    opener = vault.open_pan if field is SecretField.PAN else vault.open_pin

    with pytest.raises(SecretUnreadable) as refused:
        await opener(sealed)

    assert "4242" not in str(refused.value)


async def test_a_secret_rebound_to_a_replacement_card_opens_only_there(vault: CardVault) -> None:
    old = (await vault.seal_pan("tenant-1", "card-1", PAN)).sealed

    new = await vault.rebind(old, card_id="card-2")

    assert new.card_id == "card-2"
    assert await vault.open_pan(new) == PAN
    with pytest.raises(SecretUnreadable):
        await vault.open(replace(new, card_id="card-1"))


def test_a_fingerprint_is_keyed_hex_and_the_same_for_the_same_pan(vault: CardVault) -> None:
    fingerprint = vault.fingerprint(PAN)

    assert fingerprint == vault.fingerprint(Pan("4242424242424242"))
    assert fingerprint != vault.fingerprint(OTHER_PAN)
    assert len(fingerprint) == 64
    assert int(fingerprint, 16) >= 0
    assert fingerprint != hashlib.sha256(PAN.digits.encode()).hexdigest()
    assert fingerprint != build_vault(fingerprint_key=b"g" * 32).fingerprint(PAN)


def test_the_cvv_is_three_digits_and_stable_for_a_card(vault: CardVault) -> None:
    cvv = vault.cvv(PAN, EXPIRY)

    assert len(cvv) == 3
    assert cvv.isdigit()
    assert cvv == vault.cvv(Pan("4242424242424242"), Expiry(7, 2033))
    assert cvv == build_vault().cvv(PAN, EXPIRY)
    assert vault.cvv_matches(PAN, EXPIRY, cvv)
    assert not vault.cvv_matches(PAN, EXPIRY, f"{(int(cvv) + 1) % 1000:03d}")


def test_the_cvv_depends_on_the_pan_the_expiry_and_the_key() -> None:
    calculator = HmacCvvCalculator(CVV_KEY)
    cvvs = {
        calculator.cvv(PAN, EXPIRY),
        calculator.cvv(OTHER_PAN, EXPIRY),
        calculator.cvv(PAN, Expiry(8, 2033)),
        HmacCvvCalculator(b"d" * 32).cvv(PAN, EXPIRY),
        HmacCvvCalculator(CVV_KEY, service_code="101").cvv(PAN, EXPIRY),
    }
    # Five three-digit values from independent HMACs; a collision would be a 1% accident,
    # and these fixed inputs have none.
    assert len(cvvs) == 5


def test_cvvs_spread_over_all_three_digit_values() -> None:
    calculator = HmacCvvCalculator(CVV_KEY)
    bodies = [f"400000{n:09d}" for n in range(2000)]
    pans = [Pan(body + luhn_check_digit(body)) for body in bodies]

    cvvs = [calculator.cvv(pan, EXPIRY) for pan in pans]

    assert all(len(c) == 3 and c.isdigit() for c in cvvs)
    assert {c[0] for c in cvvs} == set("0123456789")
    assert len(set(cvvs)) > 800


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: HmacFingerprinter(b"short"), "at least 32 bytes"),
        (lambda: HmacCvvCalculator(b"short"), "at least 32 bytes"),
        (lambda: HmacCvvCalculator(CVV_KEY, service_code="1x1"), "three digits"),
    ],
)
def test_derivation_keys_must_be_long_enough(make: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()  # type: ignore[operator]


def test_key_holders_never_show_their_keys() -> None:
    shown = " ".join(
        repr(holder)
        for holder in (
            HmacFingerprinter(b"F" * 32),
            HmacCvvCalculator(b"C" * 32),
            key_provider(1, 2),
            WrappedKey(1, b"B" * 40),
            build_vault(),
        )
    )

    assert "FFFF" not in shown
    assert "CCCC" not in shown
    assert "BBBB" not in shown
    assert KEK_1.hex() not in shown
    assert repr(KEK_1) not in shown
    assert shown.count("versions=[1, 2], current=2") == 1


def test_the_cipher_refuses_a_key_of_the_wrong_size_or_a_version_out_of_range() -> None:
    cipher = AesGcmCipher()

    with pytest.raises(ValueError, match="32-byte key"):
        cipher.encrypt(b"k" * 16, 1, b"x", b"")
    with pytest.raises(ValueError, match="32-bit"):
        cipher.encrypt(cipher.new_key(), 0, b"x", b"")
    with pytest.raises(ValueError, match="32-bit"):
        cipher.encrypt(cipher.new_key(), 2**32, b"x", b"")


def test_the_cipher_makes_fresh_256_bit_keys() -> None:
    cipher = AesGcmCipher()

    assert len(cipher.new_key()) == 32
    assert cipher.new_key() != cipher.new_key()
