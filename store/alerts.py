"""Alert watches, their cursors, and claiming (watch, record, change) so each posts once."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select

from store.area import StoreArea, off_loop
from store.models import AlertPost, AlertWatch


@dataclass(frozen=True)
class Watch:
    """One channel's watch."""

    id: int
    channel_id: str
    kind: str
    filters: str
    created_by: str
    paused: bool
    paused_reason: str
    cursor: int | None


UNSURE = "?"  # a claim whose post may have landed, kept under this mark until looked for


class AlertStore(StoreArea):
    """Watches and post claims; each method runs off the event loop."""

    @off_loop
    def add(
        self,
        *,
        channel_id: str,
        kind: str,
        filters: str,
        created_by: str,
        cursor: int | None = None,
    ) -> Watch:
        """Start watching from `cursor` (what was last seen); None: the first poll sets it."""
        row = AlertWatch(
            channel_id=channel_id,
            kind=kind,
            filters=filters,
            created_by=created_by,
            created_at=datetime.now(UTC),
            paused=False,
            paused_reason="",
            cursor=cursor,
        )
        with self._session() as session:
            session.add(row)
            session.commit()
            return _watch(row)

    @off_loop
    def in_channel(self, channel_id: str) -> list[Watch]:
        """A channel's watches, oldest first."""
        query = select(AlertWatch).where(AlertWatch.channel_id == channel_id)
        with self._session() as session:
            return [_watch(r) for r in session.scalars(query.order_by(AlertWatch.id))]

    @off_loop
    def created_by(self, slack_user_id: str) -> list[Watch]:
        """The watches a person created, in any channel, oldest first."""
        query = select(AlertWatch).where(AlertWatch.created_by == slack_user_id)
        with self._session() as session:
            return [_watch(r) for r in session.scalars(query.order_by(AlertWatch.id))]

    @off_loop
    def active(self) -> list[Watch]:
        """Every watch that is not paused."""
        query = select(AlertWatch).where(AlertWatch.paused.is_(False)).order_by(AlertWatch.id)
        with self._session() as session:
            return [_watch(r) for r in session.scalars(query)]

    @off_loop
    def get(self, watch_id: int) -> Watch | None:
        """One watch."""
        with self._session() as session:
            row = session.get(AlertWatch, watch_id)
            return _watch(row) if row else None

    @off_loop
    def remove(self, watch_id: int) -> None:
        """Stop watching."""
        with self._session() as session:
            row = session.get(AlertWatch, watch_id)
            if row is not None:
                session.delete(row)
                session.execute(delete(AlertPost).where(AlertPost.watch_id == watch_id))
                session.commit()

    @off_loop
    def set_paused(self, watch_id: int, paused: bool, reason: str = "") -> None:
        """Pause (with why) or resume."""
        with self._session() as session:
            row = session.get(AlertWatch, watch_id)
            if row is not None:
                row.paused, row.paused_reason = paused, reason if paused else ""
                session.commit()

    @off_loop
    def advance(self, watch_id: int, cursor: int) -> None:
        """Move the cursor forward (never back, whatever order processes finish in)."""
        with self._session() as session:
            row = session.get(AlertWatch, watch_id)
            if row is not None and (row.cursor is None or cursor > row.cursor):
                row.cursor = cursor
                session.commit()

    @off_loop
    def prune(self, claimed_before: datetime) -> int:
        """Forget claims older than any poll could still be racing for."""
        with self._session() as session:
            gone = session.execute(delete(AlertPost).where(AlertPost.claimed_at < claimed_before))
            session.commit()
            return gone.rowcount

    @off_loop
    def claim(self, watch_id: int, record_key: str, change: str) -> bool:
        """True for the one caller that gets to post this change."""
        return self._insert_once(
            AlertPost(
                watch_id=watch_id,
                record_key=record_key,
                change=change,
                claimed_at=datetime.now(UTC),
            )
        )

    @off_loop
    def release(self, watch_id: int, changes: list[tuple[str, str]], *, maybe_posted: bool) -> None:
        """Give back claims whose post Slack did not take, so the next poll posts them; one
        that may have landed is kept as a marker (its claim time: where to look for it), the
        earliest such try's marker kept when there is one."""
        with self._session() as session:
            for record_key, change in changes:
                claim = session.get(AlertPost, (watch_id, record_key, change))
                marked = session.get(AlertPost, (watch_id, record_key, UNSURE + change))
                if claim is None:
                    continue
                if maybe_posted and marked is None:
                    session.add(
                        AlertPost(
                            watch_id=watch_id,
                            record_key=record_key,
                            change=UNSURE + change,
                            claimed_at=claim.claimed_at,
                        )
                    )
                session.delete(claim)
            session.commit()

    @off_loop
    def unsure_since(self, watch_id: int, changes: list[tuple[str, str]]) -> datetime | None:
        """When an earlier try of these alerts that may have landed was claimed; None when no
        earlier try is in doubt."""
        with self._session() as session:
            rows = [
                session.get(AlertPost, (watch_id, record_key, UNSURE + change))
                for record_key, change in changes
            ]
            since = min((row.claimed_at for row in rows if row is not None), default=None)
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return since

    @off_loop
    def settle(self, watch_id: int, changes: list[tuple[str, str]]) -> None:
        """Forget the doubt about earlier tries of these alerts (now posted, or found)."""
        with self._session() as session:
            for record_key, change in changes:
                marked = session.get(AlertPost, (watch_id, record_key, UNSURE + change))
                if marked is not None:
                    session.delete(marked)
            session.commit()


def _watch(row: AlertWatch) -> Watch:
    return Watch(
        row.id,
        row.channel_id,
        row.kind,
        row.filters,
        row.created_by,
        row.paused,
        row.paused_reason,
        row.cursor,
    )
