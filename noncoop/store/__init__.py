"""Persistence: SQLModel tables, the engine, Alembic migrations."""
