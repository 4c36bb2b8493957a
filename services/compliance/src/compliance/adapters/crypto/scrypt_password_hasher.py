"""Reviewer passwords hashed with scrypt, a memory-hard KDF, in self-describing strings."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import os
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

SCHEME = "scrypt"
SALT_BYTES = 16
HASH_BYTES = 32
# Bounds on parameters read back from storage, so a corrupted row cannot make one verify
# allocate gigabytes or run for minutes.
_MAX_N, _MAX_R, _MAX_P = 2**20, 32, 16


@dataclass(frozen=True, slots=True)
class ScryptParameters:
    """scrypt's cost: ``n`` (CPU and memory, a power of two), block size ``r``, parallelism ``p``.

    The defaults (2**15, 8, 1) take 32 MiB and some 50 to 100 ms per hash: OWASP's recommended
    minimum in 2024.
    """

    n: int = 2**15
    r: int = 8
    p: int = 1

    def __post_init__(self) -> None:
        if self.n < 2 or self.n & (self.n - 1) or self.n > _MAX_N:
            raise ValueError(f"scrypt n must be a power of two from 2 to {_MAX_N}")
        if not 1 <= self.r <= _MAX_R or not 1 <= self.p <= _MAX_P:
            raise ValueError(f"scrypt r must be 1 to {_MAX_R} and p 1 to {_MAX_P}")

    @property
    def maxmem(self) -> int:
        """What OpenSSL must be allowed to allocate: its own estimate plus 1 MiB of headroom.

        Its default cap of 32 MiB is just below what the default parameters need.
        """
        return 128 * self.r * (self.n + self.p + 2) + 2**20


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _normalised(password: str) -> bytes:
    # NFKC, as NIST SP 800-63B advises: the same password typed on two keyboards that
    # compose accents differently must hash the same.
    return unicodedata.normalize("NFKC", password).encode("utf-8")


def _derive(password: bytes, salt: bytes, params: ScryptParameters, length: int) -> bytes:
    return hashlib.scrypt(
        password,
        salt=salt,
        n=params.n,
        r=params.r,
        p=params.p,
        maxmem=params.maxmem,
        dklen=length,
    )


def _parse(encoded: str) -> tuple[ScryptParameters, bytes, bytes] | None:
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return None
    try:
        params = ScryptParameters(int(parts[1]), int(parts[2]), int(parts[3]))
        salt = base64.b64decode(parts[4], validate=True)
        expected = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        return None
    if not salt or not 16 <= len(expected) <= 64:
        return None
    return params, salt, expected


class ScryptPasswordHasher:
    """``PasswordHasher`` on ``hashlib.scrypt``: ``scrypt$n$r$p$<salt b64>$<hash b64>``.

    Hashing runs on a small thread pool of its own: it keeps the event loop free (one hash is
    tens of milliseconds of CPU) and bounds the memory concurrent logins can take.
    """

    def __init__(self, params: ScryptParameters | None = None, *, max_concurrency: int = 4) -> None:
        self._params = params or ScryptParameters()
        self._pool = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="scrypt")

    @property
    def params(self) -> ScryptParameters:
        """The parameters new hashes are made with."""
        return self._params

    def hash_now(self, password: str) -> str:
        """The hash of ``password``, computed on the calling thread."""
        salt = os.urandom(SALT_BYTES)
        digest = _derive(_normalised(password), salt, self._params, HASH_BYTES)
        p = self._params
        return f"{SCHEME}${p.n}${p.r}${p.p}${_b64(salt)}${_b64(digest)}"

    def verify_now(self, password: str, encoded: str) -> bool:
        """Whether ``password`` matches ``encoded``, on the calling thread; malformed is false."""
        parsed = _parse(encoded)
        if parsed is None:
            return False
        params, salt, expected = parsed
        candidate = _derive(_normalised(password), salt, params, len(expected))
        return hmac.compare_digest(candidate, expected)

    async def hash(self, password: str) -> str:
        """The hash of ``password`` with a fresh 16-byte salt and the current parameters."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self.hash_now, password)

    async def verify(self, password: str, encoded: str) -> bool:
        """Whether ``password`` matches ``encoded``, with the parameters ``encoded`` names."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self.verify_now, password, encoded)

    def needs_rehash(self, encoded: str) -> bool:
        """Whether ``encoded`` was made with other parameters than the current ones."""
        parsed = _parse(encoded)
        return parsed is None or parsed[0] != self._params

    def close(self) -> None:
        """Let the worker threads go (at shutdown)."""
        self._pool.shutdown(wait=False)
