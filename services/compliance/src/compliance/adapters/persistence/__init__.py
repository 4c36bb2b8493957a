"""Persistence adapters: tables, mappers and repositories on SQLAlchemy."""
