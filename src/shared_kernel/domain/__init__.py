"""Value objects, ids, domain events and errors every bounded context speaks."""
