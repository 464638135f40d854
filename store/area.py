"""What every part of the state database shares: a session taken in turns, and claiming a row."""

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.models import Base


class StoreArea:
    """One concern's tables; blocking, so callers run its methods in a worker thread."""

    def __init__(self, engine: Engine, turns: AbstractContextManager[Any]) -> None:
        self._engine = engine
        self._turns = turns  # held around each use of the database (see Store)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session, while this process holds its turn (SQLite takes one writer at a time)."""
        with self._turns, Session(self._engine) as session:
            yield session

    def insert_once(self, row: Base) -> bool:
        """Add `row`: True for the one caller whose row went in, False when its key was taken
        (a unique constraint, not a lock in memory, decides between processes)."""
        with self.session() as session:
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                return False
            return True
