"""Settings of the cards service, read once from the environment by its entrypoint."""

from __future__ import annotations

from building_blocks.runtime.settings import ServiceSettings
from building_blocks.settings import Secret

SERVICE = "cards"


class Settings(ServiceSettings, frozen=True, kw_only=True):
    """The common service settings plus what only cards reads.

    Key material (each base64 of 32 random bytes): unset, the embedded mode makes development
    keys in files under ``DATA_DIR/cards-keys`` (owner-only) and logs a warning; deployments
    set them from their secret store, or give a KMS/HSM-backed ``KeyProvider`` instead.
    """

    port: int = 8003
    toqio_jwt_public_key: str | None = None
    cards_processor_api_key: Secret | None = None
    sandbox_enabled: bool = False
    # Key-encryption keys: "1:<base64>,2:<base64>" (the highest version wraps new data keys),
    # or a file holding the same text.
    cards_kek_keyring: Secret | None = None
    cards_kek_keyring_file: str | None = None
    # HMAC keys of their own: PAN fingerprints, CVV derivation, the audit log's chain.
    cards_fingerprint_key: Secret | None = None
    cards_cvv_key: Secret | None = None
    cards_audit_mac_key: Secret | None = None
    # PANs are issued in this BIN range (the processor's range in production).
    cards_bin_prefix: str = "999990"
    cards_pan_length: int = 16
    # How long an authorization may wait for accounts_payments' hold before it is declined.
    cards_authorization_deadline_seconds: float = 0.3
    cards_card_validity_years: int = 3
    # What Toqio is shown as the cards' provider, where card images are ({design} only), and
    # the limit bounds per programme (JSON; unset, the built-in defaults).
    cards_provider_name: str = "SANDBOX"
    cards_image_url_template: str = "https://cards.sandbox.invalid/designs/{design}.png"
    cards_default_card_design: str = "standard"
    cards_limit_bounds: str | None = None
    # The RSA key Toqio encrypts cardholders' security codes to (PEM text or a PEM file's
    # path); its public half is served at /security/public-key.
    cards_security_code_private_key: Secret | None = None
    # Wrong security codes in a row before a card's code is locked, and for how long.
    cards_security_code_max_failures: int = 5
    cards_security_code_lockout_seconds: float = 900.0
    # The OTP the sandbox expects on activateOTP; unset, no OTP is checked.
    cards_sandbox_activation_otp: Secret | None = None
    # TOTP secrets per card (GET .../card/{cardId}/secret); off answers 501.
    cards_totp_enabled: bool = False
    cards_totp_key: Secret | None = None
