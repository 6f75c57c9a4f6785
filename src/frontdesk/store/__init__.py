"""Persistence: one SQLAlchemy schema for the local SQLite mirror and the server's PostgreSQL."""
