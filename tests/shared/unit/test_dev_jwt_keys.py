"""The Toqio JWT key: configured, a development pair under DATA_DIR, or a refusal to start."""

from __future__ import annotations

import stat
from pathlib import Path

import jwt
import pytest

from building_blocks.auth import ToqioJwtVerifier
from building_blocks.auth.dev_jwt_keys import (
    PRIVATE_KEY_FILE,
    JwtKeyMissing,
    toqio_public_key,
)
from tests.support.jwt_issuer import ToqioJwtIssuer

pytestmark = pytest.mark.unit


def test_a_configured_key_is_used_as_is(tmp_path: Path) -> None:
    pem = ToqioJwtIssuer().public_key_pem
    assert toqio_public_key(pem, embedded_sqlite=False, data_dir=str(tmp_path)) == pem


def test_postgres_deployments_without_a_key_refuse_to_start(tmp_path: Path) -> None:
    with pytest.raises(JwtKeyMissing, match="TOQIO_JWT_PUBLIC_KEY"):
        toqio_public_key(None, embedded_sqlite=False, data_dir=str(tmp_path))


def test_the_embedded_mode_makes_one_private_dev_key_that_signs_accepted_tokens(
    tmp_path: Path,
) -> None:
    public = toqio_public_key(None, embedded_sqlite=True, data_dir=str(tmp_path))
    again = toqio_public_key(None, embedded_sqlite=True, data_dir=str(tmp_path))

    private_path = tmp_path / PRIVATE_KEY_FILE
    assert public == again
    assert stat.S_IMODE(private_path.stat().st_mode) == 0o600
    claims = ToqioJwtIssuer().claims("cust-1")
    token = jwt.encode(claims, private_path.read_text(), algorithm="ES256")
    assert ToqioJwtVerifier(public).verify(token, "cust-1")["customerID"] == "cust-1"
