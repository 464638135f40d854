"""One write per intent: an intent's key is claimed in the database before the backend is called.

The primary key, not a lock in memory, decides: a double submit, Slack's retry or a second bot
process trying the same intent finds the claim taken. A claim names its owner (one process) and
carries a lease: a pending claim whose lease ran out belongs to a process that stopped mid-write,
and whichever process takes it over (compare-and-set on owner and lease) reads the target back.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, select, update

from store.area import StoreArea, off_loop
from store.models import WriteClaim

PENDING, DONE, UNKNOWN = "pending", "done", "unknown"


@dataclass(frozen=True)
class Claim:
    """A claimed intent and, once finished, the backend's reference to what was written."""

    intent_key: str
    action: str
    user_id: str
    state: str
    reference: str | None
    claimed_at: datetime
    owner: str = ""
    lease_until: datetime | None = None
    plan: str = ""  # JSON: how to recognise the write and whom to tell (api/writes.py)
    audit_id: int | None = None
    # When the writer stopped waiting for the backend's reply (its lease, for a writer that
    # died): the apply window, after which the backend can no longer apply it, runs from here.
    finished_at: datetime | None = None


class ClaimStore(StoreArea):
    """Claims; each method runs off the event loop."""

    @off_loop
    def claim(
        self,
        intent_key: str,
        *,
        action: str,
        user_id: str,
        owner: str = "",
        lease: timedelta = timedelta(seconds=60),
        plan: str = "",
        audit_id: int | None = None,
    ) -> Claim | None:
        """The new claim, or None when the intent was already claimed."""
        now = datetime.now(UTC)
        row = WriteClaim(
            intent_key=intent_key,
            action=action,
            user_id=user_id,
            state=PENDING,
            claimed_at=now,
            owner=owner,
            lease_until=now + lease,
            plan=plan,
            audit_id=audit_id,
        )
        if not self._insert_once(row):
            return None
        return Claim(
            intent_key, action, user_id, PENDING, None, now, owner, now + lease, plan, audit_id
        )

    @off_loop
    def get(self, intent_key: str) -> Claim | None:
        """The claim on an intent, if any."""
        with self._session() as session:
            row = session.get(WriteClaim, intent_key)
            return _claim(row) if row else None

    @off_loop
    def finish(
        self,
        intent_key: str,
        *,
        state: str,
        reference: str | None = None,
        recheck_at: datetime | None = None,
    ) -> None:
        """Record how the write ended: DONE with its reference, or UNKNOWN (kept claimed, to be
        read back again at `recheck_at`)."""
        with self._session() as session:
            row = session.get(WriteClaim, intent_key)
            if row is not None:
                row.state, row.reference = state, reference
                row.finished_at = datetime.now(UTC)
                row.lease_until = recheck_at if state == UNKNOWN else None
                session.commit()

    @off_loop
    def recheck(self, intent_key: str, *, at: datetime) -> None:
        """Keep a claim taken over unknown, to be read back again at `at` (when its writer gave
        up on the reply stays as it was: the apply window runs from there)."""
        with self._session() as session:
            session.execute(
                update(WriteClaim)
                .where(WriteClaim.intent_key == intent_key, WriteClaim.state != DONE)
                .values(state=UNKNOWN, lease_until=at)
            )
            session.commit()

    @off_loop
    def release(self, intent_key: str) -> None:
        """Give the intent back (nothing was written), so trying again can write."""
        with self._session() as session:
            session.execute(delete(WriteClaim).where(WriteClaim.intent_key == intent_key))
            session.commit()

    @off_loop
    def take_stale(
        self, owner: str, *, now: datetime, lease: timedelta, limit: int = 20
    ) -> list[Claim]:
        """Take over other processes' pending claims whose lease ran out, and unknown claims
        due a read-back.

        Each is taken by compare-and-set on its owner and lease, so of two processes sweeping at
        once exactly one gets it; the winner holds it for `lease`. A pending claim's writer
        had given up on the reply by the end of its lease: that becomes its `finished_at`.
        """
        due = (
            select(WriteClaim)
            .where(WriteClaim.state.in_((PENDING, UNKNOWN)))
            .where(WriteClaim.lease_until.is_not(None), WriteClaim.lease_until < now)
            # A pending claim of this process's own is a write still running here.
            .where(or_(WriteClaim.state == UNKNOWN, WriteClaim.owner != owner))
            .order_by(WriteClaim.lease_until)
            .limit(limit)
        )
        taken: list[Claim] = []
        with self._session() as session:
            for row in list(session.scalars(due)):
                gave_up = row.finished_at if row.state == UNKNOWN else row.lease_until
                won = session.execute(
                    update(WriteClaim)
                    .where(WriteClaim.intent_key == row.intent_key)
                    .where(WriteClaim.owner == row.owner)
                    .where(WriteClaim.lease_until == row.lease_until)
                    .values(owner=owner, lease_until=now + lease, finished_at=gave_up)
                    .execution_options(synchronize_session=False)
                )
                session.commit()
                if won.rowcount == 1:
                    session.refresh(row)
                    taken.append(_claim(row))
        return taken


def _utc(when: datetime | None) -> datetime | None:
    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


def _claim(row: WriteClaim) -> Claim:
    claimed = row.claimed_at if row.claimed_at.tzinfo else row.claimed_at.replace(tzinfo=UTC)
    lease = _utc(row.lease_until)
    return Claim(
        row.intent_key,
        row.action,
        row.user_id,
        row.state,
        row.reference,
        claimed,
        row.owner or "",
        lease,
        row.plan or "",
        row.audit_id,
        _utc(row.finished_at),
    )
