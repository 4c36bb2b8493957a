"""Cryptographic adapters of cards: cipher, key providers, keyed digests and derivations."""
