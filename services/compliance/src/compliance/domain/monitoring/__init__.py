"""Transaction monitoring: decisions, rules and their explanations."""
