"""Use cases: commands, handlers, queries and the ports they need (typing.Protocol)."""
