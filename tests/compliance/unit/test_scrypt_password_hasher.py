"""ScryptPasswordHasher: salted, self-describing, constant-time verified, upgradeable hashes."""

from __future__ import annotations

import base64
import time

import pytest

from compliance.adapters.crypto.scrypt_password_hasher import ScryptParameters, ScryptPasswordHasher

pytestmark = pytest.mark.unit

PASSWORD = "correct horse battery"
# Cheap parameters keep most tests fast; one test checks the production defaults.
FAST = ScryptParameters(n=2**10, r=8, p=1)


@pytest.fixture
def hasher() -> ScryptPasswordHasher:
    return ScryptPasswordHasher(FAST)


async def test_a_hash_verifies_its_password_and_no_other(hasher: ScryptPasswordHasher) -> None:
    encoded = await hasher.hash(PASSWORD)

    assert await hasher.verify(PASSWORD, encoded)
    assert not await hasher.verify(PASSWORD + " ", encoded)
    assert not await hasher.verify("", encoded)


async def test_a_hash_names_its_parameters_and_a_16_byte_salt(
    hasher: ScryptPasswordHasher,
) -> None:
    encoded = await hasher.hash(PASSWORD)

    scheme, n, r, p, salt, digest = encoded.split("$")
    assert (scheme, n, r, p) == ("scrypt", "1024", "8", "1")
    assert len(base64.b64decode(salt)) == 16
    assert len(base64.b64decode(digest)) == 32
    assert PASSWORD not in encoded


async def test_the_same_password_hashes_differently_each_time(
    hasher: ScryptPasswordHasher,
) -> None:
    assert await hasher.hash(PASSWORD) != await hasher.hash(PASSWORD)


async def test_the_default_parameters_are_memory_hard_and_work() -> None:
    hasher = ScryptPasswordHasher()

    encoded = await hasher.hash(PASSWORD)

    assert encoded.startswith("scrypt$32768$8$1$")
    assert await hasher.verify(PASSWORD, encoded)
    hasher.close()


async def test_a_hash_made_with_other_parameters_still_verifies_and_asks_for_a_rehash() -> None:
    old = ScryptPasswordHasher(ScryptParameters(n=2**9, r=4, p=1))
    current = ScryptPasswordHasher(FAST)
    encoded = await old.hash(PASSWORD)

    assert await current.verify(PASSWORD, encoded)
    assert current.needs_rehash(encoded)
    assert not current.needs_rehash(await current.hash(PASSWORD))


async def test_unicode_passwords_match_whatever_their_composition(
    hasher: ScryptPasswordHasher,
) -> None:
    composed, decomposed = "caf\u00e9 au lait 42", "cafe\u0301 au lait 42"

    assert await hasher.verify(decomposed, await hasher.hash(composed))


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "plain-text-password",
        "bcrypt$2b$12$abc",
        "scrypt$1024$8$1$c2FsdA==",
        "scrypt$1000$8$1$c2FsdHNhbHRzYWx0c2FsdA==$" + "A" * 44,  # n not a power of two
        "scrypt$4194304$8$1$c2FsdHNhbHRzYWx0c2FsdA==$" + "A" * 44,  # n above the bound
        "scrypt$1024$999$1$c2FsdHNhbHRzYWx0c2FsdA==$" + "A" * 44,  # r above the bound
        "scrypt$1024$8$1$not base64!$" + "A" * 44,
        "scrypt$1024$8$1$$" + "A" * 44,
        "scrypt$1024$8$1$c2FsdA==$" + "A" * 400,  # an absurd digest length
        "scrypt$x$8$1$c2FsdA==$AAAA",
    ],
)
async def test_a_malformed_or_hostile_hash_verifies_nothing(
    hasher: ScryptPasswordHasher, encoded: str
) -> None:
    started = time.perf_counter()

    assert not await hasher.verify(PASSWORD, encoded)
    assert hasher.needs_rehash(encoded)
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize(("n", "r", "p"), [(1000, 8, 1), (1, 8, 1), (2**21, 8, 1), (1024, 0, 1)])
def test_unsafe_or_invalid_parameters_are_refused(n: int, r: int, p: int) -> None:
    with pytest.raises(ValueError, match="scrypt"):
        ScryptParameters(n=n, r=r, p=p)
