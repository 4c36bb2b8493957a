"""Transaction monitoring use cases: validating a transaction, rule sets, activity."""
