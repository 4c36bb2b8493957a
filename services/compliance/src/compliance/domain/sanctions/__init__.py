"""Sanctions list entries and the name normalisation screening relies on."""
