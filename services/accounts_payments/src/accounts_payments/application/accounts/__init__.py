"""Use cases of merchant accounts: open, read, update, close, balances, money in, statements."""
