"""Readers of the official sanctions list formats (OFAC, EU, UN)."""
