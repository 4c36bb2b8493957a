"""Delivering one-time passwords."""
