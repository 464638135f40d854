"""Deskhand's own state in SQLAlchemy tables; imports nothing else of ours."""

from store.database import Store

__all__ = ["Store"]
