"""Deskhand's own state in SQLAlchemy tables (SQLite by default, PostgreSQL to share work).

For now: which Slack event deliveries were already handled. A primary key, not a lock in memory,
guarantees each event runs at most once, across retries and across bot processes.
"""

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, String, create_engine, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import StaticPool

EVENT_MEMORY = timedelta(days=1)  # Slack's last retry comes about 5 minutes after the first try


class Base(DeclarativeBase):
    """Base of Deskhand's tables."""


class ProcessedEvent(Base):
    """An Events API delivery that has been handled (keyed by Slack's `event_id`)."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


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
        Base.metadata.create_all(self._engine)
        self._claims = 0

    async def claim_event(self, event_id: str) -> bool:
        """True the first time `event_id` is seen; False for a retry of a handled event."""
        return await asyncio.to_thread(self._claim_event, event_id)

    def _claim_event(self, event_id: str) -> bool:
        now = datetime.now(UTC)
        with Session(self._engine) as session:
            session.add(ProcessedEvent(event_id=event_id, received_at=now))
            try:
                session.commit()
            except IntegrityError:
                return False
            self._claims += 1
            if self._claims % 500 == 0:
                session.execute(
                    delete(ProcessedEvent).where(ProcessedEvent.received_at < now - EVENT_MEMORY)
                )
                session.commit()
        return True

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()
