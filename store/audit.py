"""The audit log: one row per write attempt. Callers pass summaries without secrets."""

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from store.area import Database, StoreArea, off_loop
from store.models import AuditEntry

SUMMARY_MAX = 500
PENDING = "pending"  # the backend call is under way (or its process stopped: see store/claims)
_AGE = re.compile(r"(\d{1,5})([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_age(text: str) -> timedelta:
    """`30m`, `12h`, `7d`, `2w` -> that long."""
    match = _AGE.fullmatch(text.strip().lower())
    if match is None:
        raise ValueError(f"--since takes a number and m, h, d or w (like 1d), not {text!r}.")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


@dataclass(frozen=True)
class AuditRow:
    """One write attempt as the log shows it."""

    at: datetime
    user_id: str
    channel_id: str
    action: str
    target: str
    summary: str
    outcome: str  # pending, written, confirmed, failed, refused, duplicate, unknown
    reference: str | None
    detail: str
    id: int = 0  # the row's place in the log: a later attempt has a larger one

    def as_line(self) -> str:
        """One line for a terminal: when, who, what, outcome and reference."""
        reference = f" -> {self.reference}" if self.reference else ""
        detail = f" ({self.detail})" if self.detail else ""
        return (
            f"{self.at:%Y-%m-%d %H:%M:%S} {self.user_id} {self.action} {self.target}: "
            f"{self.outcome}{reference}{detail}"
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (the time as ISO 8601)."""
        return {**asdict(self), "at": self.at.isoformat()}


class AuditStore(StoreArea):
    """The audit table; each method runs off the event loop. Rows are stamped by `clock`
    (the real time, unless a sandbox passes its own clock)."""

    def __init__(self, database: Database, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(database)
        self._now = clock or (lambda: datetime.now(UTC))

    @off_loop
    def record(
        self,
        *,
        user_id: str,
        channel_id: str,
        action: str,
        target: str,
        summary: str,
        outcome: str,
        reference: str | None = None,
        detail: str = "",
    ) -> int:
        """Add one row; its id."""
        entry = AuditEntry(
            at=self._now(),
            user_id=user_id,
            channel_id=channel_id or "",
            action=action,
            target=target[:255],
            summary=summary[:SUMMARY_MAX],
            outcome=outcome,
            reference=reference,
            detail=detail[:SUMMARY_MAX],
        )
        with self._session() as session:
            session.add(entry)
            session.commit()
            return entry.id

    async def setting(
        self, *, user_id: str, channel_id: str, action: str, target: str, summary: str = ""
    ) -> int:
        """A change to what Deskhand itself does, made from Slack (a watch, a digest, a
        run-sheet, a channel's threads): one row, written as it was made."""
        row = {"user_id": user_id, "channel_id": channel_id, "action": action, "target": target}
        return await self.record(**row, summary=summary, outcome="written")

    async def begin(
        self, *, user_id: str, channel_id: str, action: str, target: str, summary: str
    ) -> int:
        """Open a `pending` row before the backend is called; returns its id for `complete`."""
        row = {"user_id": user_id, "channel_id": channel_id, "action": action, "target": target}
        return await self.record(**row, summary=summary, outcome=PENDING)

    @off_loop
    def complete(
        self,
        entry_id: int,
        *,
        outcome: str,
        reference: str | None = None,
        detail: str = "",
        note: str = "",
    ) -> None:
        """Say how the attempt a `begin` row stands for ended.

        The first reason recorded stays (a later read-back does not overwrite why the reply
        was lost); `detail` is used only while the row has none, and `note` is added after it.
        """
        with self._session() as session:
            entry = session.get(AuditEntry, entry_id)
            if entry is not None:
                entry.outcome, entry.reference = outcome, reference
                reason = entry.detail or detail
                entry.detail = f"{reason} {note}".strip()[:SUMMARY_MAX]
                session.commit()

    @off_loop
    def reason(self, entry_id: int) -> str:
        """Why the attempt a `begin` row stands for ended as it did, as first recorded."""
        with self._session() as session:
            entry = session.get(AuditEntry, entry_id)
            return entry.detail if entry is not None else ""

    @off_loop
    def recent(self, *, since: datetime | None = None, limit: int | None = None) -> list[AuditRow]:
        """Rows newest first, from `since` on, at most `limit`."""
        query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        if since is not None:
            query = query.where(AuditEntry.at >= since)
        if limit is not None:
            query = query.limit(limit)
        with self._session() as session:
            return [_row(e) for e in session.scalars(query)]


def _row(entry: AuditEntry) -> AuditRow:
    at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
    return AuditRow(
        at,
        entry.user_id,
        entry.channel_id,
        entry.action,
        entry.target,
        entry.summary,
        entry.outcome,
        entry.reference,
        entry.detail,
        entry.id,
    )
