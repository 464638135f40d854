"""The state database (SQLite by default, PostgreSQL to share work between processes).

Which Slack event deliveries were already handled: a primary key, not a lock in memory,
guarantees each event runs at most once, across retries and across bot processes.
"""

import asyncio
import threading
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, create_engine, delete
from sqlalchemy.pool import StaticPool

from store.alerts import AlertStore
from store.area import StoreArea
from store.audit import AuditStore
from store.claims import ClaimStore
from store.digests import DigestStore
from store.directory import DirectoryStore
from store.links import LinkStore
from store.live import LiveCardStore
from store.migrate import upgrade
from store.models import ProcessedEvent

EVENT_MEMORY = timedelta(days=1)  # Slack's last retry comes about 5 minutes after the first try


class Store:
    """The state database; blocking SQLAlchemy calls run in a worker thread."""

    def __init__(self, database_url: str) -> None:
        options: dict = {}
        if database_url.startswith("sqlite"):
            # Calls run in worker threads; an in-memory database must be one shared connection.
            options["connect_args"] = {"check_same_thread": False}
            if database_url in ("sqlite://", "sqlite:///:memory:"):
                options["poolclass"] = StaticPool
        self._engine = create_engine(database_url, **options)
        upgrade(self._engine)
        self._claims = 0
        # SQLite takes one writer at a time (and an in-memory database is one shared connection):
        # callers in worker threads take turns. PostgreSQL needs no such lock.
        self._turns = threading.Lock() if database_url.startswith("sqlite") else nullcontext()
        self._events = StoreArea(self._engine, self._turns)
        self.directory = DirectoryStore(self._engine, self._turns)
        self.links = LinkStore(self._engine, self._turns)
        self.claims = ClaimStore(self._engine, self._turns)
        self.audit = AuditStore(self._engine, self._turns)
        self.digests = DigestStore(self._engine, self._turns)
        self.alerts = AlertStore(self._engine, self._turns)
        self.live = LiveCardStore(self._engine, self._turns)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for tests and tools)."""
        return self._engine

    async def claim_event(self, event_id: str) -> bool:
        """True the first time `event_id` is seen; False for a retry of a handled event."""
        return await asyncio.to_thread(self._claim_event, event_id)

    def _claim_event(self, event_id: str) -> bool:
        now = datetime.now(UTC)
        if not self._events.insert_once(ProcessedEvent(event_id=event_id, received_at=now)):
            return False
        self._claims += 1
        if self._claims % 500 == 0:
            with self._events.session() as session:
                session.execute(
                    delete(ProcessedEvent).where(ProcessedEvent.received_at < now - EVENT_MEMORY)
                )
                session.commit()
        return True

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()
