"""The Toqio JWT public key: configured, or (embedded `make run` only) a local development pair."""

from __future__ import annotations

import os
from pathlib import Path

import structlog
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

PRIVATE_KEY_FILE = "toqio-dev-jwt-private.pem"
PUBLIC_KEY_FILE = "toqio-dev-jwt-public.pem"

_log = structlog.get_logger(__name__)


class JwtKeyMissing(RuntimeError):
    """No Toqio public key on a deployment that must have one."""


def _write_private(path: Path, pem: bytes) -> bool:
    # O_EXCL and 0600: only the owner may read it, and two starters never write two keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return True


def development_public_key(data_dir: Path) -> str:
    """A dev ES256 pair under ``data_dir``: returns the public PEM, keeps the private one there.

    Developers mint tokens with the private key (for example with PyJWT); its path is logged,
    never its content.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    private_path = data_dir / PRIVATE_KEY_FILE
    if not private_path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_private(private_path, pem)
    private = serialization.load_pem_private_key(private_path.read_bytes(), password=None)
    public = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    (data_dir / PUBLIC_KEY_FILE).write_text(public, encoding="ascii")
    _log.warning(
        "toqio_jwt.development_key",
        private_key_path=str(private_path.resolve()),
        detail="TOQIO_JWT_PUBLIC_KEY is not set; tokens signed (ES256) with this key are accepted",
    )
    return public


def toqio_public_key(configured: str | None, *, embedded_sqlite: bool, data_dir: str) -> str:
    """The key Toqio's JWTs are verified with.

    Raises:
        JwtKeyMissing: no ``TOQIO_JWT_PUBLIC_KEY`` outside the embedded SQLite mode.
    """
    if configured:
        return configured
    if not embedded_sqlite:
        raise JwtKeyMissing(
            "TOQIO_JWT_PUBLIC_KEY is required with a PostgreSQL database: set it to Toqio's "
            "public key (PEM text or the path of a PEM file)"
        )
    return development_public_key(Path(data_dir))
