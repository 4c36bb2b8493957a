"""Key material: configured keys are used as given; missing ones become development files."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
import structlog

from building_blocks.settings import Secret
from cards.adapters.crypto.key_material import KeyMaterial, MissingKeys, load_key_material

pytestmark = pytest.mark.unit


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_configured_keys_are_used_and_no_file_is_written(tmp_path: Path) -> None:
    fingerprint, cvv, audit = _key(), _key(), _key()

    material = load_key_material(
        keyring=Secret(f"1:{_key()},2:{_key()}"),
        keyring_file=None,
        fingerprint_key=Secret(fingerprint),
        cvv_key=Secret(cvv),
        audit_mac_key=Secret(audit),
        data_dir=str(tmp_path),
    )

    assert material.kek.current_version == 2
    assert material.fingerprint_key == base64.b64decode(fingerprint)
    assert (material.cvv_key, material.audit_mac_key) == (
        base64.b64decode(cvv),
        base64.b64decode(audit),
    )
    assert not (tmp_path / "cards-keys").exists()
    assert fingerprint not in repr(material)


def test_a_keyring_file_is_read(tmp_path: Path) -> None:
    keyring = tmp_path / "kek.keyring"
    keyring.write_text(f"3:{_key()}\n")

    material = load_key_material(
        keyring=None,
        keyring_file=str(keyring),
        fingerprint_key=Secret(_key()),
        cvv_key=Secret(_key()),
        audit_mac_key=Secret(_key()),
        data_dir=str(tmp_path),
    )

    assert material.kek.current_version == 3


def test_missing_keys_become_stable_development_files_named_in_a_warning(
    tmp_path: Path,
) -> None:
    def load() -> KeyMaterial:
        return load_key_material(
            keyring=None,
            keyring_file=None,
            fingerprint_key=None,
            cvv_key=None,
            audit_mac_key=None,
            data_dir=str(tmp_path),
        )

    with structlog.testing.capture_logs() as logs:
        first = load()
    second = load()

    assert (first.fingerprint_key, first.cvv_key, first.audit_mac_key) == (
        second.fingerprint_key,
        second.cvv_key,
        second.audit_mac_key,
    )
    assert first.kek.versions == second.kek.versions == (1,)
    warning = next(log for log in logs if log["event"] == "cards.development_keys")
    assert warning["keys"] == ["kek", "fingerprint", "cvv", "audit-mac"]
    files = sorted(path.name for path in (tmp_path / "cards-keys").iterdir())
    assert files == ["audit-mac.key", "cvv.key", "fingerprint.key", "kek.keyring"]
    for path in (tmp_path / "cards-keys").iterdir():
        assert path.stat().st_mode & 0o077 == 0
        assert path.read_text().strip() not in str(logs)


def test_a_deployment_without_keys_refuses_to_start_and_names_what_is_missing(
    tmp_path: Path,
) -> None:
    with pytest.raises(MissingKeys) as refused:
        load_key_material(
            keyring=None,
            keyring_file=None,
            fingerprint_key=Secret(_key()),
            cvv_key=None,
            audit_mac_key=Secret(_key()),
            data_dir=str(tmp_path),
            allow_development=False,
        )

    assert (
        str(refused.value) == "cards needs these keys configured: CARDS_KEK_KEYRING, CARDS_CVV_KEY"
    )
    assert not (tmp_path / "cards-keys").exists()
