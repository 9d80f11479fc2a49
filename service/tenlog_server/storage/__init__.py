"""Storage layer: SQLAlchemy models, engines, queries and the group-commit write path.

Nothing here imports the domain or transport layers.
"""
