"""The ports accounts_payments' use cases need, as typing.Protocols."""
