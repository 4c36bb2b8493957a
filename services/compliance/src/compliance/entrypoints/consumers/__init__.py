"""Message consumers of compliance: what it learns from the other services' events."""
