"""Threads that sync: which channels opted in, which card threads a reply synced (and their
record), and what is done once in each thread, claimed by a row before it is done (a note seen
or posted there, the line saying where replies go, a person told they may not write)."""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from store.area import StoreArea, off_loop
from store.models import LiveCard, SyncedThread, ThreadChannel, ThreadMark, WriteClaim

THREAD_INTENT = "thread"  # the first word of a thread reply's intent key (see `reply_intent`)


@dataclass(frozen=True)
class Thread:
    """A synced thread: the card message it is under and the record the card shows."""

    channel_id: str
    thread_ts: str
    record_key: str
    baseline_done: bool


def reply_intent(channel_id: str, thread_ts: str, ts: str) -> str:
    """The intent key a reply is written under: its Slack identity (channel and ts; the thread
    it is in never changes), so a retry, a redelivery or another replica finds it claimed."""
    return f"{THREAD_INTENT}:{channel_id}:{thread_ts}:{ts}"


class ThreadStore(StoreArea):
    """Opted-in channels, synced threads and their marks; each method runs off the event loop."""

    @off_loop
    def set_channel(self, channel_id: str, synced: bool, user_id: str, now: datetime) -> None:
        """Turn a channel's thread sync on or off."""
        with self._session() as session:
            row = session.get(ThreadChannel, channel_id)
            if row is None:
                session.add(
                    ThreadChannel(channel_id=channel_id, synced=synced, set_by=user_id, set_at=now)
                )
            else:
                row.synced, row.set_by, row.set_at = synced, user_id, now
            try:
                session.commit()
            except IntegrityError:  # another process added it at the same moment: set it
                session.rollback()
                session.execute(
                    update(ThreadChannel)
                    .where(ThreadChannel.channel_id == channel_id)
                    .values(synced=synced, set_by=user_id, set_at=now)
                )
                session.commit()

    @off_loop
    def record_of(self, channel_id: str, thread_ts: str) -> str | None:
        """The record a thread syncs with, in a channel whose threads sync: a thread already
        synced, or the thread under a ticket or job card Deskhand posted; else None."""
        with self._session() as session:
            channel = session.get(ThreadChannel, channel_id)
            if channel is None or not channel.synced:
                return None
            synced = session.get(SyncedThread, (channel_id, thread_ts))
            if synced is not None:
                return synced.record_key
            query = select(LiveCard.record_key).where(
                LiveCard.channel_id == channel_id,
                LiveCard.ts == thread_ts,
                LiveCard.unfurl_url == "",
            )
            return session.scalars(query.limit(1)).first()

    @off_loop
    def channel_synced(self, channel_id: str) -> bool:
        """Whether a channel's threads sync."""
        with self._session() as session:
            row = session.get(ThreadChannel, channel_id)
            return bool(row and row.synced)

    @off_loop
    def get(self, channel_id: str, thread_ts: str) -> Thread | None:
        """A synced thread, if it is one."""
        with self._session() as session:
            row = session.get(SyncedThread, (channel_id, thread_ts))
            return _thread(row) if row else None

    @off_loop
    def start(self, channel_id: str, thread_ts: str, record_key: str, now: datetime) -> bool:
        """Sync a thread: True for the one caller that started it (it sets the baseline)."""
        row = SyncedThread(
            channel_id=channel_id,
            thread_ts=thread_ts,
            record_key=record_key,
            started_at=now,
            baseline_done=False,
            checked_at=now,
        )
        return self._insert_once(row)

    @off_loop
    def set_baseline(
        self, channel_id: str, thread_ts: str, note_ids: list[str], now: datetime
    ) -> None:
        """The notes the record had when the thread synced: never posted in it."""
        with self._session() as session:
            have = set(
                session.scalars(
                    select(ThreadMark.mark).where(
                        ThreadMark.channel_id == channel_id, ThreadMark.thread_ts == thread_ts
                    )
                )
            )
            for note_id in note_ids:
                if f"note:{note_id}" not in have:
                    session.add(_mark(channel_id, thread_ts, f"note:{note_id}", now))
            session.execute(
                update(SyncedThread)
                .where(SyncedThread.channel_id == channel_id, SyncedThread.thread_ts == thread_ts)
                .values(baseline_done=True)
            )
            try:
                session.commit()
            except IntegrityError:  # another process set it meanwhile: theirs stands
                session.rollback()

    @off_loop
    def mark(self, channel_id: str, thread_ts: str, mark: str, now: datetime) -> bool:
        """True for the one caller that gets to do `mark` in this thread."""
        return self._insert_once(_mark(channel_id, thread_ts, mark, now))

    @off_loop
    def unmark(self, channel_id: str, thread_ts: str, mark: str) -> None:
        """It was not done after all (Slack refused it for now): a later look may do it."""
        with self._session() as session:
            row = session.get(ThreadMark, (channel_id, thread_ts, mark))
            if row is not None:
                session.delete(row)
                session.commit()

    @off_loop
    def marks(self, channel_id: str, thread_ts: str, prefix: str) -> set[str]:
        """The marks of a thread that start with `prefix`."""
        query = select(ThreadMark.mark).where(
            ThreadMark.channel_id == channel_id,
            ThreadMark.thread_ts == thread_ts,
            ThreadMark.mark.startswith(prefix, autoescape=True),
        )
        with self._session() as session:
            return set(session.scalars(query))

    @off_loop
    def due(self, started_since: datetime, limit: int) -> list[Thread]:
        """Synced threads in channels still opted in, started since then, least recently
        looked at first."""
        opted = select(ThreadChannel.channel_id).where(ThreadChannel.synced.is_(True))
        query = (
            select(SyncedThread)
            .where(
                SyncedThread.started_at >= started_since,
                SyncedThread.channel_id.in_(opted),
            )
            .order_by(SyncedThread.checked_at, SyncedThread.thread_ts)
            .limit(limit)
        )
        with self._session() as session:
            return [_thread(row) for row in session.scalars(query)]

    @off_loop
    def checked(self, threads: list[Thread], now: datetime) -> None:
        """These threads were looked at now (they go to the back of the queue)."""
        with self._session() as session:
            for t in threads:
                session.execute(
                    update(SyncedThread)
                    .where(
                        SyncedThread.channel_id == t.channel_id,
                        SyncedThread.thread_ts == t.thread_ts,
                    )
                    .values(checked_at=now)
                )
            session.commit()

    @off_loop
    def prune(self, started_before: datetime) -> int:
        """Forget threads that stopped syncing long ago, with their marks."""
        with self._session() as session:
            old = session.execute(
                select(SyncedThread.channel_id, SyncedThread.thread_ts).where(
                    SyncedThread.started_at < started_before
                )
            ).all()
            for channel_id, thread_ts in old:
                session.execute(
                    delete(ThreadMark).where(
                        ThreadMark.channel_id == channel_id, ThreadMark.thread_ts == thread_ts
                    )
                )
                session.execute(
                    delete(SyncedThread).where(
                        SyncedThread.channel_id == channel_id, SyncedThread.thread_ts == thread_ts
                    )
                )
            session.commit()
            return len(old)

    @off_loop
    def written_markers(self, channel_id: str, thread_ts: str) -> set[str]:
        """The markers of the notes this thread's replies were written as (claimed: written,
        or still to be confirmed), so the thread is never shown its own notes again."""
        prefix = f"{THREAD_INTENT}:{channel_id}:{thread_ts}:"
        return set(self._markers(prefix).values())

    @off_loop
    def claimed_markers(self, prefix: str) -> dict[str, str]:
        """The markers of the writes claimed under intent keys starting with `prefix`, by key."""
        return self._markers(prefix)

    def _markers(self, prefix: str) -> dict[str, str]:
        query = select(WriteClaim.intent_key, WriteClaim.plan).where(
            WriteClaim.intent_key.startswith(prefix, autoescape=True)
        )
        with self._session() as session:
            rows = session.execute(query).all()
        markers = {}
        for key, plan in rows:
            try:
                marker = json.loads(plan or "{}").get("marker")
            except ValueError:
                continue
            if marker:
                markers[key] = str(marker)
        return markers


def _mark(channel_id: str, thread_ts: str, mark: str, now: datetime) -> ThreadMark:
    return ThreadMark(channel_id=channel_id, thread_ts=thread_ts, mark=mark[:96], at=now)


def _thread(row: SyncedThread) -> Thread:
    return Thread(row.channel_id, row.thread_ts, row.record_key, row.baseline_done)
