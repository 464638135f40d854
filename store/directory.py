"""The customer directory's table: both systems' customers, searched locally and linked.

ReadyDesk cannot search customers by name, so Deskhand keeps this copy. Records of the two systems
are linked when their emails match, else their phone digits.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from store.area import StoreArea
from store.models import DirectoryEntry, DirectoryFill

READYDESK = "readydesk"
KICKSERV = "kickserv"
_NOT_DIGIT = re.compile(r"\D")
PHONE_DIGITS = 10
MIN_PHONE_QUERY = 7


def normalize_email(value: str | None) -> str:
    """Lower-cased and trimmed; blank when there is none."""
    return (value or "").strip().lower()


def phone_digits(value: str | None) -> str:
    """The last ten digits of a phone number (so +1 and punctuation do not matter)."""
    digits = _NOT_DIGIT.sub("", value or "")
    return digits[-PHONE_DIGITS:] if len(digits) >= MIN_PHONE_QUERY else ""


@dataclass(frozen=True)
class Entry:
    """One customer in the directory."""

    system: str
    record_key: str
    name: str
    company: str = ""
    email: str = ""
    phone: str = ""
    global_id: int | None = None


@dataclass(frozen=True)
class Business:
    """One business: its ReadyDesk record, its Kickserv record, or both, and why they link."""

    readydesk: Entry | None
    kickserv: Entry | None
    linked_by: str | None = None  # "email" or "phone"

    @property
    def name(self) -> str:
        """The best name either record has."""
        for entry in (self.readydesk, self.kickserv):
            if entry and (entry.company or entry.name):
                return entry.company or entry.name
        return "(no name)"


class DirectoryStore(StoreArea):
    """Reads and writes of the directory table; blocking, run in a worker thread by callers."""

    def upsert(self, entries: Iterable[Entry]) -> int:
        """Insert or refresh entries; returns how many were written."""
        now = datetime.now(UTC)
        count = 0
        with self.session() as session:
            for entry in entries:
                session.merge(_row(entry, now))
                count += 1
            session.commit()
        return count

    def finish_fill(self, system: str, started_at: datetime, *, full: bool) -> None:
        """Record a completed walk; a full walk also drops records it no longer saw."""
        with self.session() as session:
            if full:
                session.execute(
                    delete(DirectoryEntry).where(
                        DirectoryEntry.system == system, DirectoryEntry.seen_at < started_at
                    )
                )
            session.merge(DirectoryFill(system=system, finished_at=datetime.now(UTC)))
            session.commit()

    def filled_at(self, system: str) -> datetime | None:
        """When `system` was last walked, or None before the first fill finished."""
        with self.session() as session:
            fill = session.get(DirectoryFill, system)
            if fill is None:
                return None
            at = fill.finished_at
            return at if at.tzinfo else at.replace(tzinfo=UTC)

    def search(self, text: str, limit: int = 20) -> list[Business]:
        """Businesses whose ID, name, company, email or phone match every word of `text`."""
        words = [w for w in normalize_email(text).split() if w]
        if not words:
            return []
        digits = phone_digits(text)
        conditions = [DirectoryEntry.search_text.contains(w, autoescape=True) for w in words]
        matches = [and_(*conditions), DirectoryEntry.record_key == text.strip()]
        if digits:
            matches.append(DirectoryEntry.phone.contains(digits, autoescape=True))
        with self.session() as session:
            rows = session.scalars(
                select(DirectoryEntry).where(or_(*matches)).limit(limit * 2)
            ).all()
            return _link(session, [_entry(r) for r in rows])[:limit]

    def business(self, system: str, record_key: str) -> Business | None:
        """The business one record belongs to, with its partner in the other system."""
        with self.session() as session:
            row = session.get(DirectoryEntry, (system, record_key))
            return _link(session, [_entry(row)])[0] if row else None

    def by_global_id(self, global_id: int) -> Entry | None:
        """The Kickserv customer with this global id."""
        with self.session() as session:
            row = session.scalars(
                select(DirectoryEntry).where(
                    DirectoryEntry.system == KICKSERV, DirectoryEntry.global_id == global_id
                )
            ).first()
            return _entry(row) if row else None


def _row(entry: Entry, now: datetime) -> DirectoryEntry:
    email, phone = normalize_email(entry.email), phone_digits(entry.phone)
    text = " ".join((entry.record_key, entry.name, entry.company, email, phone)).lower()
    return DirectoryEntry(
        system=entry.system,
        record_key=entry.record_key,
        global_id=entry.global_id,
        name=entry.name[:255],
        company=entry.company[:255],
        email=email[:255],
        phone=phone,
        search_text=text[:1024],
        seen_at=now,
    )


def _entry(row: DirectoryEntry) -> Entry:
    return Entry(
        system=row.system,
        record_key=row.record_key,
        name=row.name,
        company=row.company,
        email=row.email,
        phone=row.phone,
        global_id=row.global_id,
    )


def _link(session: Session, entries: Sequence[Entry]) -> list[Business]:
    """Pair each entry with its partner in the other system (email first, then phone).

    One query fetches every candidate partner, whatever the number of entries.
    """
    emails = {e.email for e in entries if e.email}
    phones = {e.phone for e in entries if e.phone}
    candidates: dict[tuple[str, str, str], Entry] = {}
    if emails or phones:
        rows = session.scalars(
            select(DirectoryEntry)
            .where(or_(DirectoryEntry.email.in_(emails), DirectoryEntry.phone.in_(phones)))
            .order_by(DirectoryEntry.record_key.desc())  # the lowest key wins below
        )
        for row in rows:
            entry = _entry(row)
            for column in ("email", "phone"):
                if getattr(entry, column):
                    candidates[(entry.system, column, getattr(entry, column))] = entry
    businesses: list[Business] = []
    used: set[tuple[str, str]] = set()
    for entry in entries:
        if (entry.system, entry.record_key) in used:
            continue
        other_system = KICKSERV if entry.system == READYDESK else READYDESK
        partner, linked_by = None, None
        for column in ("email", "phone"):
            value = getattr(entry, column)
            found = candidates.get((other_system, column, value)) if value else None
            if found is not None:
                partner, linked_by = found, column
                break
        used.add((entry.system, entry.record_key))
        if partner:
            used.add((partner.system, partner.record_key))
        pair = (entry, partner) if entry.system == READYDESK else (partner, entry)
        businesses.append(Business(readydesk=pair[0], kickserv=pair[1], linked_by=linked_by))
    return businesses
