"""Card processor adapters: the sandbox processor (and, later, real ones)."""
