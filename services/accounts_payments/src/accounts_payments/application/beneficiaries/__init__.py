"""Beneficiary use cases: manage payees, filter where payments may go, confirm the payee."""
