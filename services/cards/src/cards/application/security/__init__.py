"""The card's security code: activation with it, PAN/CVV/expiry and PIN reveal, lock-out."""
