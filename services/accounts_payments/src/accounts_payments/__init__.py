"""Accounts & Payments: Toqio customers, accounts, the ledger, payments and FX."""
