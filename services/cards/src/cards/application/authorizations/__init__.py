"""Card authorizations for the processor: authorize (with a ledger hold), clear and reverse."""
