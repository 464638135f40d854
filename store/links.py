"""Who is who, as admins set it: Slack user -> ReadyDesk technician and Kickserv employee."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from store.area import StoreArea, off_loop
from store.models import UserLink

KEEP = object()  # "leave this part of the link as it is"


@dataclass(frozen=True)
class Link:
    """One user's override; a part is None when the admin left it to the email match."""

    slack_user_id: str
    technician: str | None
    employee_number: int | None
    set_by: str
    set_at: datetime


class LinkStore(StoreArea):
    """Reads and writes of user links; each method runs off the event loop."""

    @off_loop
    def get(self, slack_user_id: str) -> Link | None:
        """The user's link, or None."""
        with self._session() as session:
            row = session.get(UserLink, slack_user_id)
            return _link(row) if row else None

    @off_loop
    def set(
        self,
        slack_user_id: str,
        *,
        set_by: str,
        technician: Any = KEEP,
        employee_number: Any = KEEP,
    ) -> Link:
        """Set the given parts (None clears one); the other part stays as it was."""
        with self._session() as session:
            row = session.get(UserLink, slack_user_id) or UserLink(slack_user_id=slack_user_id)
            if technician is not KEEP:
                row.technician = technician
            if employee_number is not KEEP:
                row.employee_number = employee_number
            row.set_by, row.set_at = set_by, datetime.now(UTC)
            session.add(row)
            session.commit()
            return _link(row)


def _link(row: UserLink) -> Link:
    at = row.set_at if row.set_at.tzinfo else row.set_at.replace(tzinfo=UTC)
    return Link(row.slack_user_id, row.technician, row.employee_number, row.set_by, at)
