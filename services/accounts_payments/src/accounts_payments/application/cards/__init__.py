"""Card funds: ledger holds for the card authorizations cards asks for, cleared or released."""
