"""Live cards: which channel messages show which record, and the last state seen of each record.

A record's state is kept once, however many cards show it, so re-reading costs the same for one
channel or fifty. A change is taken by one process (its version moves from n to n+1 only once),
and each card's update is claimed by (card, change) before Slack is called.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from store.area import StoreArea, off_loop
from store.models import LiveCard, LiveRecord, LiveUpdate

State = dict[str, str]  # what the card shows that may change: label -> value


@dataclass(frozen=True)
class Tracked:
    """A record some recent card shows, as last seen."""

    record_key: str
    state: State
    version: int
    checked_at: datetime


@dataclass(frozen=True)
class PostedCard:
    """One message showing a record."""

    id: int
    channel_id: str
    ts: str
    shared_by: str
    shown_version: int = 0
    unfurl_url: str = ""  # set when the card is an unfurl under this link in someone's message
    footer: str = ""  # a line kept under the card through every redraw


class LiveCardStore(StoreArea):
    """Cards and records; each method runs off the event loop."""

    @off_loop
    def remember(
        self,
        channel_id: str,
        ts: str,
        record_key: str,
        state: State,
        now: datetime,
        *,
        shared_by: str = "",
        unfurl_url: str = "",
        footer: str = "",
    ) -> None:
        """A card was posted (or unfurled under `unfurl_url`); its record's state is the one it
        shows, unless one is known. `footer`: a line to keep under it through every redraw."""
        with self._session() as session:
            record = session.get(LiveRecord, record_key)
            version = record.version if record is not None and not record.gone else 0
            session.add(
                LiveCard(
                    channel_id=channel_id,
                    ts=ts,
                    record_key=record_key,
                    shared_by=shared_by,
                    shown_version=version,
                    posted_at=now,
                    unfurl_url=unfurl_url,
                    footer=footer[:255],
                )
            )
            try:
                session.commit()
            except IntegrityError:  # the same message remembered twice
                session.rollback()
            record = session.get(LiveRecord, record_key)
            if record is None:
                session.add(
                    LiveRecord(
                        record_key=record_key,
                        state=_dump(state),
                        version=0,
                        checked_at=now,
                        gone=False,
                    )
                )
            elif record.gone:
                record.gone, record.state = False, _dump(state)
            try:
                session.commit()
            except IntegrityError:  # another process added it first: theirs is as good
                session.rollback()

    @off_loop
    def tracked(self, posted_since: datetime) -> list[Tracked]:
        """Records shown by a card posted since then and not gone, least recently checked first."""
        recent = select(LiveCard.record_key).where(LiveCard.posted_at >= posted_since)
        query = (
            select(LiveRecord)
            .where(LiveRecord.record_key.in_(recent), LiveRecord.gone.is_(False))
            .order_by(LiveRecord.checked_at, LiveRecord.record_key)
        )
        with self._session() as session:
            return [
                Tracked(r.record_key, _load(r.state), r.version, r.checked_at)
                for r in session.scalars(query)
            ]

    @off_loop
    def get(self, record_key: str) -> Tracked | None:
        """One record as last seen."""
        with self._session() as session:
            r = session.get(LiveRecord, record_key)
            return Tracked(r.record_key, _load(r.state), r.version, r.checked_at) if r else None

    @off_loop
    def cards(self, record_key: str, posted_since: datetime) -> list[PostedCard]:
        """The recent messages showing a record."""
        query = select(LiveCard).where(
            LiveCard.record_key == record_key, LiveCard.posted_at >= posted_since
        )
        with self._session() as session:
            return [_posted(c) for c in session.scalars(query.order_by(LiveCard.id))]

    @off_loop
    def message(self, channel_id: str, ts: str) -> PostedCard | None:
        """The live card that is this channel message (not an unfurl under it), if tracked."""
        query = select(LiveCard).where(
            LiveCard.channel_id == channel_id, LiveCard.ts == ts, LiveCard.unfurl_url == ""
        )
        with self._session() as session:
            found = session.scalars(query).first()
            return _posted(found) if found is not None else None

    @off_loop
    def checked(self, record_keys: list[str], now: datetime) -> None:
        """These records were read now (they go to the back of the queue)."""
        if not record_keys:
            return
        with self._session() as session:
            session.execute(
                update(LiveRecord)
                .where(LiveRecord.record_key.in_(record_keys))
                .values(checked_at=now)
            )
            session.commit()

    @off_loop
    def change(self, record_key: str, seen_version: int, state: State) -> int | None:
        """Take a change: the new version for the one caller that moved it, else None."""
        with self._session() as session:
            moved = session.execute(
                update(LiveRecord)
                .where(LiveRecord.record_key == record_key, LiveRecord.version == seen_version)
                .values(state=_dump(state), version=seen_version + 1)
            )
            session.commit()
            return seen_version + 1 if moved.rowcount == 1 else None

    @off_loop
    def claim_update(self, card_id: int, change: str, now: datetime) -> bool:
        """True for the one caller that gets to update this card for this change."""
        return self._insert_once(LiveUpdate(card_id=card_id, change=change, claimed_at=now))

    @off_loop
    def release_update(self, card_id: int, change: str) -> None:
        """The update failed for a reason that may pass: let a later poll claim it again."""
        with self._session() as session:
            session.execute(
                delete(LiveUpdate).where(LiveUpdate.card_id == card_id, LiveUpdate.change == change)
            )
            session.commit()

    @off_loop
    def shown(self, card_id: int, version: int) -> None:
        """The card now shows this version of its record."""
        with self._session() as session:
            session.execute(
                update(LiveCard)
                .where(LiveCard.id == card_id, LiveCard.shown_version < version)
                .values(shown_version=version)
            )
            session.commit()

    @off_loop
    def lagging(self, posted_since: datetime, limit: int) -> list[tuple[PostedCard, Tracked]]:
        """Recent cards showing an older version of their record than the latest seen (an
        update Slack refused for a while), oldest first."""
        query = (
            select(LiveCard, LiveRecord)
            .join(LiveRecord, LiveRecord.record_key == LiveCard.record_key)
            .where(
                LiveCard.posted_at >= posted_since,
                LiveRecord.gone.is_(False),
                LiveCard.shown_version < LiveRecord.version,
            )
            .order_by(LiveCard.id)
            .limit(limit)
        )
        with self._session() as session:
            return [
                (
                    _posted(c),
                    Tracked(r.record_key, _load(r.state), r.version, r.checked_at),
                )
                for c, r in session.execute(query)
            ]

    @off_loop
    def mark_gone(self, record_key: str) -> None:
        """The record no longer exists: stop reading it."""
        with self._session() as session:
            session.execute(
                update(LiveRecord).where(LiveRecord.record_key == record_key).values(gone=True)
            )
            session.commit()

    @off_loop
    def forget_card(self, card_id: int) -> None:
        """The message is gone (deleted, or the channel is): stop updating it."""
        with self._session() as session:
            session.execute(delete(LiveCard).where(LiveCard.id == card_id))
            session.execute(delete(LiveUpdate).where(LiveUpdate.card_id == card_id))
            session.commit()

    @off_loop
    def prune(self, posted_before: datetime) -> int:
        """Forget cards older than the live window, and records no card shows any more."""
        with self._session() as session:
            old = select(LiveCard.id).where(LiveCard.posted_at < posted_before)
            session.execute(delete(LiveUpdate).where(LiveUpdate.card_id.in_(old)))
            gone = session.execute(delete(LiveCard).where(LiveCard.posted_at < posted_before))
            shown = select(LiveCard.record_key)
            session.execute(delete(LiveRecord).where(LiveRecord.record_key.not_in(shown)))
            session.commit()
            return gone.rowcount


def _posted(card: LiveCard) -> PostedCard:
    return PostedCard(
        card.id,
        card.channel_id,
        card.ts,
        card.shared_by,
        card.shown_version,
        card.unfurl_url,
        card.footer,
    )


def _dump(state: State) -> str:
    return json.dumps(state)  # in the order the card shows them


def _load(text: str) -> State:
    return json.loads(text) if text else {}
