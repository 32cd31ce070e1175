"""Storage: SQLModel tables, the engine and sessions, Alembic migrations and the demo seed.

Imports nothing of Barista's other packages.
"""
