"""Digest subscriptions, and claiming (subscription, slot) so each digest is posted once."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update

from store.area import StoreArea, off_loop
from store.models import DigestRun, DigestSubscription
from store.schedules import describe_days


@dataclass(frozen=True)
class Subscription:
    """One channel's digest."""

    id: int
    channel_id: str
    kind: str
    filters: str
    at_time: str
    days: str
    timezone: str
    quiet: bool
    paused: bool
    paused_reason: str
    created_by: str
    last_snapshot: str
    created_at: datetime
    paused_message: str = ""  # "<channel> <ts>" of the digest its Pause was pressed on

    @property
    def schedule_words(self) -> str:
        """When it comes, in words: "07:00 weekdays" (its zone aside)."""
        return f"{self.at_time} {describe_days(self.days)}"


# A person's run-sheet: a subscription of this kind posts to its creator, by DM (its channel_id
# is their user ID), in the business's time zone.
RUNSHEET = "runsheet"
# Outcomes that leave a slot due: Slack did not take the post ("uncertain": it may have landed).
RETRYABLE = ("uncertain", "unsent")


class DigestStore(StoreArea):
    """Subscriptions and slot claims; each method runs off the event loop."""

    @off_loop
    def add(
        self,
        *,
        channel_id: str,
        kind: str,
        filters: str,
        at_time: str,
        days: str,
        timezone: str,
        quiet: bool,
        created_by: str,
    ) -> Subscription:
        """Subscribe a channel; returns the new subscription (with its id)."""
        row = DigestSubscription(
            channel_id=channel_id,
            kind=kind,
            filters=filters,
            at_time=at_time,
            days=days,
            timezone=timezone,
            quiet=quiet,
            paused=False,
            paused_reason="",
            created_by=created_by,
            created_at=datetime.now(UTC),
            last_snapshot="",
        )
        with self._session() as session:
            session.add(row)
            session.commit()
            return _subscription(row)

    @off_loop
    def in_channel(self, channel_id: str) -> list[Subscription]:
        """A channel's subscriptions, oldest first."""
        query = select(DigestSubscription).where(DigestSubscription.channel_id == channel_id)
        with self._session() as session:
            return [
                _subscription(r) for r in session.scalars(query.order_by(DigestSubscription.id))
            ]

    @off_loop
    def created_by(self, slack_user_id: str) -> list[Subscription]:
        """The subscriptions a person created, in any channel, oldest first."""
        query = select(DigestSubscription).where(DigestSubscription.created_by == slack_user_id)
        with self._session() as session:
            return [
                _subscription(r) for r in session.scalars(query.order_by(DigestSubscription.id))
            ]

    @off_loop
    def active(self) -> list[Subscription]:
        """Every subscription that is not paused."""
        query = select(DigestSubscription).where(DigestSubscription.paused.is_(False))
        with self._session() as session:
            return [
                _subscription(r) for r in session.scalars(query.order_by(DigestSubscription.id))
            ]

    @off_loop
    def get(self, subscription_id: int) -> Subscription | None:
        """One subscription."""
        with self._session() as session:
            row = session.get(DigestSubscription, subscription_id)
            return _subscription(row) if row else None

    @off_loop
    def remove(self, subscription_id: int) -> bool:
        """Unsubscribe; False when there was no such subscription."""
        with self._session() as session:
            row = session.get(DigestSubscription, subscription_id)
            if row is None:
                return False
            session.delete(row)
            session.commit()
            return True

    @off_loop
    def set_paused(
        self, subscription_id: int, paused: bool, reason: str = "", *, message: str = ""
    ) -> bool:
        """Pause (with why, and `message`: the digest whose Pause was pressed, if so; a pause
        without one keeps the one known) or resume (which forgets both); False when there was no
        such subscription."""
        with self._session() as session:
            row = session.get(DigestSubscription, subscription_id)
            if row is None:
                return False
            row.paused, row.paused_reason = paused, reason if paused else ""
            row.paused_message = (message or row.paused_message) if paused else ""
            session.commit()
            return True

    @off_loop
    def remember(self, subscription_id: int, snapshot: str) -> None:
        """Keep what this digest showed, for the next one's "what changed" line."""
        with self._session() as session:
            row = session.get(DigestSubscription, subscription_id)
            if row is not None:
                row.last_snapshot = snapshot
                session.commit()

    @off_loop
    def claim_slot(self, subscription_id: int, slot: datetime) -> bool:
        """True for the one caller that gets to post this slot's digest."""
        run = DigestRun(
            subscription_id=subscription_id,
            slot=slot.astimezone(UTC),
            claimed_at=datetime.now(UTC),
            outcome="claimed",
        )
        return self._insert_once(run)

    @off_loop
    def reclaim_slot(self, subscription_id: int, slot: datetime) -> tuple[str, datetime] | None:
        """Claim again a slot whose post Slack did not take, for the one caller that gets it:
        its earlier outcome ("uncertain": the post may have landed, "unsent": it did not) and
        when it was first claimed (from then on its post may show in the channel)."""
        key = (DigestRun.subscription_id == subscription_id) & (
            DigestRun.slot == slot.astimezone(UTC)
        )
        with self._session() as session:
            for earlier in RETRYABLE:
                taken = session.execute(
                    update(DigestRun)
                    .where(key & (DigestRun.outcome == earlier))
                    .values(outcome="claimed")
                )
                if taken.rowcount == 1:
                    session.commit()
                    run = session.get(DigestRun, (subscription_id, slot.astimezone(UTC)))
                    assert run is not None
                    first = run.claimed_at
                    return earlier, first if first.tzinfo else first.replace(tzinfo=UTC)
        return None

    @off_loop
    def finish_slot(self, subscription_id: int, slot: datetime, outcome: str) -> None:
        """Record how a claimed slot ended (posted, quiet, failed, paused; unsent or uncertain
        keep it due)."""
        with self._session() as session:
            run = session.get(DigestRun, (subscription_id, slot.astimezone(UTC)))
            if run is not None:
                run.outcome = outcome
                session.commit()


def _subscription(row: DigestSubscription) -> Subscription:
    return Subscription(
        row.id,
        row.channel_id,
        row.kind,
        row.filters,
        row.at_time,
        row.days,
        row.timezone,
        row.quiet,
        row.paused,
        row.paused_reason,
        row.created_by,
        row.last_snapshot or "",
        row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC),
        row.paused_message or "",
    )
