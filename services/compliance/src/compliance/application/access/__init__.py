"""Who may call compliance: Toqio customers by API key, reviewers by password and token."""
