"""Sanctions screening: the candidate index and the scoring of names against it."""
