"""Deskhand's own state in SQLAlchemy tables; imports nothing else of ours."""

from store.database import Store
from store.migrate import SchemaMismatch

__all__ = ["SchemaMismatch", "Store"]
