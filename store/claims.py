"""One write per intent: an intent's key is claimed in the database before the backend is called.

The primary key, not a lock in memory, decides: a double submit, Slack's retry or a second bot
process trying the same intent finds the claim taken.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete

from store.area import StoreArea
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


class ClaimStore(StoreArea):
    """Claims; blocking, run in a worker thread by callers."""

    def claim(self, intent_key: str, *, action: str, user_id: str) -> Claim | None:
        """The new claim, or None when the intent was already claimed."""
        row = WriteClaim(
            intent_key=intent_key, action=action, user_id=user_id, state=PENDING,
            claimed_at=datetime.now(UTC),
        )  # fmt: skip
        if not self.insert_once(row):
            return None
        return Claim(intent_key, action, user_id, PENDING, None)

    def get(self, intent_key: str) -> Claim | None:
        """The claim on an intent, if any."""
        with self.session() as session:
            row = session.get(WriteClaim, intent_key)
            return _claim(row) if row else None

    def finish(self, intent_key: str, *, state: str, reference: str | None = None) -> None:
        """Record how the write ended: DONE with its reference, or UNKNOWN (kept claimed)."""
        with self.session() as session:
            row = session.get(WriteClaim, intent_key)
            if row is not None:
                row.state, row.reference = state, reference
                row.finished_at = datetime.now(UTC)
                session.commit()

    def release(self, intent_key: str) -> None:
        """Give the intent back (nothing was written), so trying again can write."""
        with self.session() as session:
            session.execute(delete(WriteClaim).where(WriteClaim.intent_key == intent_key))
            session.commit()


def _claim(row: WriteClaim) -> Claim:
    return Claim(row.intent_key, row.action, row.user_id, row.state, row.reference)
