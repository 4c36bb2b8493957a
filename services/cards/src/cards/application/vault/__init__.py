"""The PAN vault: envelope encryption of card secrets, fingerprints, CVVs and key rotation."""
