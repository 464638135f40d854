"""Technician days: each technician's jobs as last told and as last seen, changed only by a
conditional update on `version`, so of several processes polling at once one records a change
and one sends its DM."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import update

from store.area import StoreArea, off_loop
from store.models import TechnicianDay


@dataclass(frozen=True)
class Day:
    """One technician's row: snapshots as JSON text."""

    user_id: str
    told: str
    seen: str
    changed_at: datetime | None
    version: int


class TechnicianDayStore(StoreArea):
    """Each technician's told and seen snapshots; each method runs off the event loop."""

    @off_loop
    def get(self, user_id: str) -> Day | None:
        """The technician's row, if they have one yet."""
        with self._session() as session:
            row = session.get(TechnicianDay, user_id)
            return _day(row) if row else None

    @off_loop
    def start(self, user_id: str, snapshot: str) -> bool:
        """The first look at a technician: what they have now counts as told (no DM)."""
        row = TechnicianDay(slack_user_id=user_id, told=snapshot, seen=snapshot, version=0)
        return self._insert_once(row)

    @off_loop
    def saw(self, day: Day, snapshot: str, at: datetime) -> bool:
        """Record a changed snapshot seen `at`; False when another process changed the row."""
        return self._set(day, seen=snapshot, changed_at=at)

    @off_loop
    def told_now(self, day: Day) -> bool:
        """Claim telling the technician what `day.seen` holds: True for the one caller."""
        return self._set(day, told=day.seen, changed_at=None)

    def _set(self, day: Day, **values: object) -> bool:
        with self._session() as session:
            done = session.execute(
                update(TechnicianDay)
                .where(
                    (TechnicianDay.slack_user_id == day.user_id)
                    & (TechnicianDay.version == day.version)
                )
                .values(version=day.version + 1, **values)
            )
            session.commit()
            return done.rowcount == 1


def _day(row: TechnicianDay) -> Day:
    changed = row.changed_at
    if changed is not None and changed.tzinfo is None:
        changed = changed.replace(tzinfo=UTC)
    return Day(row.slack_user_id, row.told, row.seen, changed, row.version)
