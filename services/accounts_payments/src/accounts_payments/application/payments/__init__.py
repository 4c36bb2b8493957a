"""Payments: the schemes a payment may use and FX quotes."""
