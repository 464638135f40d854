"""Home tabs: when each person's was last published, so re-opening it re-reads at most once a
minute however many processes serve them."""

from datetime import datetime, timedelta

from sqlalchemy import delete, update

from store.area import StoreArea, off_loop
from store.models import HomeTab


class HomeStore(StoreArea):
    """One row per person; each method runs off the event loop."""

    @off_loop
    def claim(self, slack_user_id: str, now: datetime, every: timedelta) -> bool:
        """True for the one caller that may publish this person's Home now: none was published
        in the last `every` (a zero `every`, as Refresh asks, always claims)."""
        with self._session() as session:
            moved = session.execute(
                update(HomeTab)
                .where(HomeTab.slack_user_id == slack_user_id)
                .where(HomeTab.published_at <= now - every)
                .values(published_at=now)
            )
            session.commit()
            if moved.rowcount == 1:
                return True
        # No row moved: either the person has none yet (the first insert wins) or it is recent.
        return self._insert_once(HomeTab(slack_user_id=slack_user_id, published_at=now))

    @off_loop
    def release(self, slack_user_id: str, claimed_at: datetime) -> None:
        """Give back the claim taken at `claimed_at` (its publish failed), so the next open
        publishes; a later claim, another process's, is left alone."""
        with self._session() as session:
            session.execute(
                delete(HomeTab)
                .where(HomeTab.slack_user_id == slack_user_id)
                .where(HomeTab.published_at == claimed_at)
            )
            session.commit()
