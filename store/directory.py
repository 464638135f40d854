"""The customer directory's table: both systems' customers, searched locally and linked.

ReadyDesk cannot search customers by name, so Deskhand keeps this copy. Records of the two systems
are linked when their emails match, else their phone digits.
"""

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Insert, Table, and_, bindparam, delete, func, or_, select
from sqlalchemy.orm import Session

from store.area import StoreArea, off_loop
from store.models import DirectoryEntry, DirectoryFill

READYDESK = "readydesk"  # the values of the `system` column
KICKSERV = "kickserv"
UPSERT_BATCH = 100  # rows per statement: 900 bound values, within any SQLite's limit
# Tables, not ORM classes, in the fill's writes: an INSERT of plain rows needs nothing of the
# ORM, whose bulk-insert path cost more than the database's own work (the fill writes every
# customer of both systems at each start of a process).
_ENTRIES: Table = DirectoryEntry.__table__  # type: ignore[assignment]
_FILLS: Table = DirectoryFill.__table__  # type: ignore[assignment]
_FILLED_AT = select(_FILLS.c.finished_at).where(_FILLS.c.system == bindparam("system"))


@dataclass(frozen=True)
class Record:
    """One directory row: a customer of one system, its email and phone as the caller keyed them
    (api/business.py says how)."""

    system: str
    record_key: str
    name: str
    company: str = ""
    email: str = ""
    phone: str = ""
    global_id: int | None = None


@dataclass(frozen=True)
class Linked:
    """A ReadyDesk record, a Kickserv record, or both, and the column that linked them."""

    readydesk: Record | None
    kickserv: Record | None
    linked_by: str | None = None  # "email" or "phone"


class DirectoryStore(StoreArea):
    """Reads and writes of the directory table; each method runs off the event loop."""

    @off_loop
    def upsert(self, records: Iterable[Record]) -> int:
        """Insert or refresh records; returns how many were written."""
        now = datetime.now(UTC)
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        count = 0
        for record in records:
            rows[(record.system, record.record_key)] = _row(record, now)  # the last one wins
            count += 1
        ordered = [rows[key] for key in sorted(rows)]  # one lock order for every process
        with self._session() as session:
            if ordered:
                statement = _upsert(_dialect(session), _ENTRIES, tuple(ordered[0]), "seen_at")
                for start in range(0, len(ordered), UPSERT_BATCH):
                    session.execute(statement, ordered[start : start + UPSERT_BATCH])
            session.commit()
        return count

    @off_loop
    def finish_fill(self, system: str, started_at: datetime, *, full: bool) -> None:
        """Record a completed walk; a full walk also drops records it no longer saw."""
        with self._session() as session:
            if full:
                session.execute(
                    delete(_ENTRIES).where(
                        _ENTRIES.c.system == system, _ENTRIES.c.seen_at < started_at
                    )
                )
            fill = {"system": system, "finished_at": datetime.now(UTC)}
            session.execute(_upsert(_dialect(session), _FILLS, tuple(fill)), [fill])
            session.commit()

    @off_loop
    def filled_at(self, system: str) -> datetime | None:
        """When `system` was last walked, or None before the first fill finished."""
        with self._connection() as connection:  # asked before every search until filled
            at = connection.execute(_FILLED_AT, {"system": system}).scalar()
            return _aware(at)

    @off_loop
    def state(self) -> dict[str, tuple[int, datetime | None]]:
        """Each system's (records held, when last walked in full or None), for /metrics."""
        with self._session() as session:
            sizes = dict(
                session.execute(
                    select(DirectoryEntry.system, func.count()).group_by(DirectoryEntry.system)
                ).all()
            )
            fills = {
                fill.system: fill.finished_at for fill in session.scalars(select(DirectoryFill))
            }
        return {
            system: (sizes.get(system, 0), _aware(fills.get(system)))
            for system in (READYDESK, KICKSERV)
        }

    @off_loop
    def search(
        self, words: Sequence[str], *, record_key: str = "", phone: str = "", limit: int = 20
    ) -> list[Linked]:
        """Records whose ID, name, company, email or phone contain every one of `words`
        (lower case), or whose key is `record_key`, or whose phone contains `phone`; each with
        its partner in the other system."""
        if not words:
            return []
        conditions = [DirectoryEntry.search_text.contains(w, autoescape=True) for w in words]
        matches = [and_(*conditions), DirectoryEntry.record_key == record_key]
        if phone:
            matches.append(DirectoryEntry.phone.contains(phone, autoescape=True))
        with self._session() as session:
            rows = session.scalars(
                select(DirectoryEntry).where(or_(*matches)).limit(limit * 2)
            ).all()
            return _link(session, [_entry(r) for r in rows])[:limit]

    @off_loop
    def business(self, system: str, record_key: str) -> Linked | None:
        """One record, with its partner in the other system."""
        with self._session() as session:
            row = session.get(DirectoryEntry, (system, record_key))
            return _link(session, [_entry(row)])[0] if row else None

    @off_loop
    def businesses(self, keys: Sequence[tuple[str, str]]) -> list[Linked]:
        """The records with these (system, record_key) keys, in that order, each with its
        partner in the other system; keys not in the table are left out."""
        if not keys:
            return []
        wanted = [
            and_(DirectoryEntry.system == system, DirectoryEntry.record_key == key)
            for system, key in keys
        ]
        with self._session() as session:
            rows = {
                (r.system, r.record_key): r
                for r in session.scalars(select(DirectoryEntry).where(or_(*wanted)))
            }
            found = [_entry(rows[key]) for key in dict.fromkeys(keys) if key in rows]
            return _link(session, found)

    @off_loop
    def by_global_id(self, global_id: int) -> Record | None:
        """The Kickserv customer with this global id."""
        with self._session() as session:
            row = session.scalars(
                select(DirectoryEntry).where(
                    DirectoryEntry.system == KICKSERV, DirectoryEntry.global_id == global_id
                )
            ).first()
            return _entry(row) if row else None


def _aware(at: datetime | None) -> datetime | None:
    return at if at is None or at.tzinfo else at.replace(tzinfo=UTC)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


@functools.cache
def _upsert(dialect: str, table: Table, names: tuple[str, ...], newest: str = "") -> Insert:
    """INSERT ... ON CONFLICT (primary key) DO UPDATE of the columns `names`, to be executed
    with the rows: one statement, so two processes writing the same keys at once both succeed
    (a select-then-insert lets both insert). The `newest` column keeps the later of its two
    times: writes that overlap may land out of order, and a full fill drops the rows it finds
    seen before it started. The rows go as parameters, not in the statement, so it is compiled
    once and cached (a statement holding 100 rows' values was compiled anew each time); the
    statement itself is built once for its arguments, which decide it."""
    postgres = dialect == "postgresql"
    if postgres:  # imported here: SQLAlchemy's PostgreSQL dialect is ~70 ms of a start's imports
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table)
    keys = [column.name for column in table.primary_key]
    refreshed = {name: statement.excluded[name] for name in names if name not in keys}
    if newest:
        later = func.greatest if postgres else func.max  # SQLite's max() of two is a scalar
        refreshed[newest] = later(table.c[newest], statement.excluded[newest])
    return statement.on_conflict_do_update(index_elements=keys, set_=refreshed)


def _row(record: Record, now: datetime) -> dict[str, Any]:
    fields = (record.record_key, record.name, record.company, record.email, record.phone)
    text = " ".join(fields).lower()
    return {
        "system": record.system,
        "record_key": record.record_key,
        "global_id": record.global_id,
        "name": record.name[:255],
        "company": record.company[:255],
        "email": record.email[:255],
        "phone": record.phone,
        "search_text": text[:1024],
        "seen_at": now,
    }


def _entry(row: DirectoryEntry) -> Record:
    return Record(
        system=row.system,
        record_key=row.record_key,
        name=row.name,
        company=row.company,
        email=row.email,
        phone=row.phone,
        global_id=row.global_id,
    )


def _link(session: Session, entries: Sequence[Record]) -> list[Linked]:
    """Pair each entry with its partner in the other system (email first, then phone).

    One query fetches every candidate partner, whatever the number of entries.
    """
    emails = {e.email for e in entries if e.email}
    phones = {e.phone for e in entries if e.phone}
    candidates: dict[tuple[str, str, str], Record] = {}
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
    businesses: list[Linked] = []
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
        businesses.append(Linked(readydesk=pair[0], kickserv=pair[1], linked_by=linked_by))
    return businesses
