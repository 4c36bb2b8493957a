"""Cryptographic adapters: password hashing, reviewer token signing, API key hashing."""
