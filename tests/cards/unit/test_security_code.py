"""The encrypted security code: Toqio's hybrid RSA-OAEP + AES-GCM format and its key files."""

from __future__ import annotations

import base64
import stat
from dataclasses import replace
from pathlib import Path

import msgspec
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from building_blocks.settings import Secret
from cards.adapters.crypto.security_code_rsa import (
    DEVELOPMENT_KEY_FILE,
    OAEP,
    RsaSecurityCodeDecryptor,
    SecurityCodeKeyInvalid,
    SecurityCodeKeyMissing,
    create_development_private_key,
    encrypt_security_code,
    load_security_code_decryptor,
)
from cards.application.security.ports import EncryptedSecurityCode, SecurityCodeUnreadable
from cards.entrypoints.http.card_security_schemas import (
    CardOtpIn,
    CardPanResponse,
    CardTokenRequestIn,
    EncryptedSecurityCodeIn,
    PanRequestIn,
    PinResponse,
)
from tests.cards.security_fakes import rsa_key_pem

pytestmark = pytest.mark.unit

CODE = "482913"


@pytest.fixture(scope="module")
def decryptor() -> RsaSecurityCodeDecryptor:
    return RsaSecurityCodeDecryptor.from_pem(rsa_key_pem())


@pytest.fixture(scope="module")
def other() -> RsaSecurityCodeDecryptor:
    return RsaSecurityCodeDecryptor(rsa.generate_private_key(public_exponent=65537, key_size=2048))


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text)


def flip_last_byte(text: str) -> str:
    raw = bytearray(unb64(text))
    raw[-1] ^= 0x01
    return b64(bytes(raw))


def test_a_code_encrypted_to_the_public_key_decrypts(decryptor: RsaSecurityCodeDecryptor) -> None:
    encrypted = encrypt_security_code(decryptor.public_key_pem, CODE)

    assert decryptor.decrypt(encrypted) == CODE
    assert encrypted.wrapped_key is None
    assert len(unb64(encrypted.iv)) == 12
    assert len(unb64(encrypted.tag)) == 16


def test_the_rsa_part_may_come_separately_as_the_wrapped_key(
    decryptor: RsaSecurityCodeDecryptor,
) -> None:
    encrypted = encrypt_security_code(decryptor.public_key_pem, CODE, separate_wrapped_key=True)

    assert encrypted.wrapped_key is not None
    assert decryptor.decrypt(encrypted) == CODE


def test_url_safe_base64_without_padding_is_read(decryptor: RsaSecurityCodeDecryptor) -> None:
    encrypted = encrypt_security_code(decryptor.public_key_pem, CODE)

    def url_safe(text: str) -> str:
        return base64.urlsafe_b64encode(unb64(text)).decode().rstrip("=")

    relaxed = EncryptedSecurityCode(
        encrypted_security_code=url_safe(encrypted.encrypted_security_code),
        iv=url_safe(encrypted.iv),
        tag=url_safe(encrypted.tag),
    )

    assert decryptor.decrypt(relaxed) == CODE


def test_a_code_encrypted_to_another_key_is_unreadable(
    decryptor: RsaSecurityCodeDecryptor, other: RsaSecurityCodeDecryptor
) -> None:
    with pytest.raises(SecurityCodeUnreadable):
        decryptor.decrypt(encrypt_security_code(other.public_key_pem, CODE))


def _tampered(encrypted: EncryptedSecurityCode) -> dict[str, EncryptedSecurityCode]:
    body = unb64(encrypted.encrypted_security_code)
    return {
        "flipped tag": replace(encrypted, tag=flip_last_byte(encrypted.tag)),
        "flipped ciphertext": replace(
            encrypted, encrypted_security_code=flip_last_byte(encrypted.encrypted_security_code)
        ),
        "flipped wrapped key": replace(
            encrypted, encrypted_security_code=b64(bytes([body[0] ^ 1]) + body[1:])
        ),
        "other nonce": replace(encrypted, iv=b64(bytes(12))),
        "truncated": replace(encrypted, encrypted_security_code=b64(body[:200])),
        "no ciphertext": replace(encrypted, encrypted_security_code=b64(body[:256])),
        "short tag": replace(encrypted, tag=b64(unb64(encrypted.tag)[:12])),
        "long nonce": replace(encrypted, iv=b64(bytes(16))),
        "garbage base64": replace(encrypted, encrypted_security_code="not base64 at all!"),
        "garbage iv": replace(encrypted, iv="%%%"),
        "empty": replace(encrypted, encrypted_security_code=""),
        "huge": replace(encrypted, encrypted_security_code="A" * 10_000),
        "wrapped key garbage": replace(encrypted, wrapped_key="????"),
    }


@pytest.mark.parametrize(
    "kind",
    [
        "flipped tag",
        "flipped ciphertext",
        "flipped wrapped key",
        "other nonce",
        "truncated",
        "no ciphertext",
        "short tag",
        "long nonce",
        "garbage base64",
        "garbage iv",
        "empty",
        "huge",
        "wrapped key garbage",
    ],
)
def test_anything_altered_or_malformed_is_unreadable(
    decryptor: RsaSecurityCodeDecryptor, kind: str
) -> None:
    encrypted = encrypt_security_code(decryptor.public_key_pem, CODE)

    with pytest.raises(SecurityCodeUnreadable) as refused:
        decryptor.decrypt(_tampered(encrypted)[kind])

    assert CODE not in str(refused.value)


def test_a_plaintext_that_is_not_utf8_is_unreadable(decryptor: RsaSecurityCodeDecryptor) -> None:
    public = serialization.load_pem_public_key(decryptor.public_key_pem.encode())
    assert isinstance(public, rsa.RSAPublicKey)
    key = AESGCM.generate_key(bit_length=256)
    sealed = AESGCM(key).encrypt(bytes(12), b"\xff\xfe", None)
    encrypted = EncryptedSecurityCode(
        encrypted_security_code=b64(public.encrypt(key, OAEP) + sealed[:-16]),
        iv=b64(bytes(12)),
        tag=b64(sealed[-16:]),
    )

    with pytest.raises(SecurityCodeUnreadable):
        decryptor.decrypt(encrypted)


def test_a_wrapped_key_of_another_size_is_unreadable(decryptor: RsaSecurityCodeDecryptor) -> None:
    public = serialization.load_pem_public_key(decryptor.public_key_pem.encode())
    assert isinstance(public, rsa.RSAPublicKey)
    key = AESGCM.generate_key(bit_length=128)
    sealed = AESGCM(key).encrypt(bytes(12), CODE.encode(), None)
    encrypted = EncryptedSecurityCode(
        encrypted_security_code=b64(public.encrypt(key, OAEP) + sealed[:-16]),
        iv=b64(bytes(12)),
        tag=b64(sealed[-16:]),
    )

    with pytest.raises(SecurityCodeUnreadable):
        decryptor.decrypt(encrypted)


def test_neither_the_decryptor_nor_a_code_shows_secrets_in_repr(
    decryptor: RsaSecurityCodeDecryptor,
) -> None:
    encrypted = encrypt_security_code(decryptor.public_key_pem, CODE)

    assert repr(decryptor) == "RsaSecurityCodeDecryptor(bits=2048)"
    assert repr(encrypted) == "EncryptedSecurityCode(<hidden>)"


def test_the_public_key_is_pem_of_the_private_key(decryptor: RsaSecurityCodeDecryptor) -> None:
    public = serialization.load_pem_public_key(decryptor.public_key_pem.encode())

    assert decryptor.public_key_pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert isinstance(public, rsa.RSAPublicKey)
    assert public.key_size == 2048


def test_a_key_that_is_not_a_long_enough_rsa_key_is_refused() -> None:
    ec_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    short = rsa.generate_private_key(public_exponent=65537, key_size=1024)

    with pytest.raises(SecurityCodeKeyInvalid, match="RSA private key"):
        RsaSecurityCodeDecryptor.from_pem(ec_pem)
    with pytest.raises(SecurityCodeKeyInvalid, match="at least 2048 bits"):
        RsaSecurityCodeDecryptor(short)
    with pytest.raises(SecurityCodeKeyInvalid, match="not an unencrypted PEM"):
        RsaSecurityCodeDecryptor.from_pem("-----BEGIN PRIVATE KEY-----\nnonsense\n")
    with pytest.raises(SecurityCodeKeyInvalid, match="RSA private key"):
        RsaSecurityCodeDecryptor(ec.generate_private_key(ec.SECP256R1()))  # type: ignore[arg-type]


def test_only_an_rsa_public_key_encrypts_a_code() -> None:
    ec_public = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )

    with pytest.raises(SecurityCodeKeyInvalid):
        encrypt_security_code(ec_public, CODE)


def test_a_configured_key_is_read_from_pem_text_or_a_file(tmp_path: Path) -> None:
    pem = rsa_key_pem()
    path = tmp_path / "key.pem"
    path.write_text(pem)

    from_text = load_security_code_decryptor(
        Secret(pem), data_dir=str(tmp_path), allow_development_key=False
    )
    from_file = load_security_code_decryptor(
        Secret(str(path)), data_dir=str(tmp_path), allow_development_key=False
    )

    assert from_text.public_key_pem == from_file.public_key_pem
    assert not (tmp_path / "cards-keys").exists()


def test_without_a_configured_key_only_the_embedded_mode_makes_one(tmp_path: Path) -> None:
    with pytest.raises(SecurityCodeKeyMissing, match="CARDS_SECURITY_CODE_PRIVATE_KEY"):
        load_security_code_decryptor(None, data_dir=str(tmp_path), allow_development_key=False)


def test_the_development_key_is_made_once_and_readable_by_its_owner_only(
    tmp_path: Path,
) -> None:
    first = load_security_code_decryptor(None, data_dir=str(tmp_path), allow_development_key=True)
    second = load_security_code_decryptor(None, data_dir=str(tmp_path), allow_development_key=True)

    path = tmp_path / "cards-keys" / DEVELOPMENT_KEY_FILE
    assert first.public_key_pem == second.public_key_pem
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [DEVELOPMENT_KEY_FILE]
    assert repr(first) == "RsaSecurityCodeDecryptor(bits=3072)"


def test_an_existing_development_key_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    path.write_text(rsa_key_pem())

    assert create_development_private_key(path) == path.read_bytes()


def test_request_and_response_bodies_never_show_what_they_carry() -> None:
    encrypted = {"encryptedSecurityCode": "c2VjcmV0", "iv": "aXY=", "tag": "dGFn"}
    code_in = msgspec.convert(encrypted, EncryptedSecurityCodeIn)
    bodies: list[object] = [
        code_in,
        msgspec.convert(encrypted, PanRequestIn),
        CardTokenRequestIn(security_code=code_in),
        CardOtpIn(baas_otp="123456", operation_id="op-1"),
        CardPanResponse(pan="4000056655665556", cvv="123", expiry_date="05/33"),
        PinResponse(pin="7391"),
    ]

    shown = " ".join(repr(body) for body in bodies)

    for secret in ("c2VjcmV0", "123456", "4000056655665556", "123", "7391"):
        assert secret not in shown
    assert "op-1" in shown


def test_the_pan_body_reads_the_code_at_the_top_or_under_security_code() -> None:
    top = msgspec.convert({"encryptedSecurityCode": "QQ==", "iv": "aXY="}, PanRequestIn)
    nested = msgspec.convert({"securityCode": {"encryptedSecurityCode": "Qg=="}}, PanRequestIn)
    neither = msgspec.convert({"iv": "aXY="}, PanRequestIn)

    assert top.presented() == EncryptedSecurityCode(
        encrypted_security_code="QQ==", iv="aXY=", tag=""
    )
    assert nested.presented() == EncryptedSecurityCode(
        encrypted_security_code="Qg==", iv="", tag=""
    )
    assert neither.presented() is None
    assert CardTokenRequestIn().presented() is None
    assert CardOtpIn().presented() is None
