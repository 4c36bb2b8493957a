"""Cryptographic adapters: encryption of tenant secrets at rest."""
