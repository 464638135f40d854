"""Deskhand's tables (SQLAlchemy 2 declarative)."""

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Base of Deskhand's tables."""


class ProcessedEvent(Base):
    """An Events API delivery that has been handled (keyed by Slack's `event_id`)."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DirectoryEntry(Base):
    """One customer of either system, as the customer directory keeps it for searching.

    `record_key` is ReadyDesk's customer ID or Kickserv's customer number (as text); `email` is
    lower-cased and `phone` holds only the last ten digits, so records link across systems.
    """

    __tablename__ = "directory_entries"

    system: Mapped[str] = mapped_column(String(16), primary_key=True)
    record_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    global_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    company: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(255), default="", index=True)
    phone: Mapped[str] = mapped_column(String(32), default="", index=True)
    search_text: Mapped[str] = mapped_column(String(1024), default="")
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DirectoryFill(Base):
    """When a system's customers were last walked in full (the directory is ready after one)."""

    __tablename__ = "directory_fills"

    system: Mapped[str] = mapped_column(String(16), primary_key=True)
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UserLink(Base):
    """An admin's override: which technician and employee a Slack user is."""

    __tablename__ = "user_links"

    slack_user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    technician: Mapped[str | None] = mapped_column(String(255))
    employee_number: Mapped[int | None] = mapped_column(BigInteger)
    set_by: Mapped[str] = mapped_column(String(32))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WriteClaim(Base):
    """One intent to write (a modal submit, a button press, a command), claimed before the
    backend is called. The primary key makes a repeat of the same intent lose the claim."""

    __tablename__ = "write_claims"

    intent_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    action: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16))  # pending, done, unknown
    reference: Mapped[str | None] = mapped_column(String(255))  # the backend's id of the result
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    owner: Mapped[str] = mapped_column(String(64), default="")  # the process writing it
    # While pending: when the owner's write must have ended. Past it, the owner is gone and any
    # process may reconcile. While unknown: when to read the target back again.
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    plan: Mapped[str] = mapped_column(Text, default="")  # JSON: how to recognise the write
    audit_id: Mapped[int | None] = mapped_column(Integer)  # the audit row this attempt opened


class AuditEntry(Base):
    """One write attempt: who, when, where, what, and how it ended (never secrets)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32), default="")
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(String(500), default="")
    outcome: Mapped[str] = mapped_column(String(16))  # written, failed, refused, duplicate, unknown
    reference: Mapped[str | None] = mapped_column(String(255))
    detail: Mapped[str] = mapped_column(String(500), default="")


class DigestSubscription(Base):
    """A channel's scheduled digest: what, when (time, days, zone), and its state."""

    __tablename__ = "digest_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel_id: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    filters: Mapped[str] = mapped_column(String(2000), default="")  # the search, as JSON
    at_time: Mapped[str] = mapped_column(String(5))  # HH:MM, wall clock in `timezone`
    days: Mapped[str] = mapped_column(String(40))  # mon,tue,…
    timezone: Mapped[str] = mapped_column(String(64))
    quiet: Mapped[bool] = mapped_column(Boolean, default=False)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_reason: Mapped[str] = mapped_column(String(255), default="")
    # The digest message its Pause was pressed on ("<channel> <ts>"), which a resume updates.
    paused_message: Mapped[str] = mapped_column(String(64), default="")
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_snapshot: Mapped[str] = mapped_column(Text, default="")  # what the last digest showed


class DigestRun(Base):
    """One (subscription, slot), claimed before the digest is built: posted at most once."""

    __tablename__ = "digest_runs"

    subscription_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slot: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(16), default="claimed")  # posted, quiet, failed…


class AlertWatch(Base):
    """A channel watching for new records (tickets) that match a search."""

    __tablename__ = "alert_watches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel_id: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # tickets, jobs
    filters: Mapped[str] = mapped_column(String(2000), default="")
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_reason: Mapped[str] = mapped_column(String(255), default="")
    cursor: Mapped[int | None] = mapped_column(BigInteger)  # highest record seen; None: no baseline


class AlertPost(Base):
    """One (watch, record, change), claimed before it is posted: posted at most once."""

    __tablename__ = "alert_posts"

    watch_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    change: Mapped[str] = mapped_column(String(64), primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class LiveCard(Base):
    """A ticket or job card Deskhand posted in a channel, or unfurled under a link someone
    posted (`unfurl_url`: that link), kept up to date while recent."""

    __tablename__ = "live_cards"
    __table_args__ = (
        UniqueConstraint("channel_id", "ts", "unfurl_url", name="uq_live_cards_message"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))
    record_key: Mapped[str] = mapped_column(String(64), index=True)  # ticket:123, job:45
    shared_by: Mapped[str] = mapped_column(String(32), default="")  # kept under the card
    shown_version: Mapped[int] = mapped_column(Integer, default=0)  # the record version it shows
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # A message may hold several links: each unfurl is a card of its own ("" for a message).
    unfurl_url: Mapped[str] = mapped_column(String(1000), default="")
    # A line kept under the card through every redraw (the watch that posted it), or "".
    footer: Mapped[str] = mapped_column(String(255), default="")


class LiveRecord(Base):
    """The last state seen of a record some live card shows: one row however many cards."""

    __tablename__ = "live_records"

    record_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(Text, default="")  # JSON: label -> shown value
    version: Mapped[int] = mapped_column(Integer, default=0)  # bumped once per change seen
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    gone: Mapped[bool] = mapped_column(Boolean, default=False)


class LiveUpdate(Base):
    """One (card, change), claimed before the card is updated: updated at most once."""

    __tablename__ = "live_updates"

    card_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    change: Mapped[str] = mapped_column(String(64), primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HomeTab(Base):
    """When a person's Home tab was last published, so opening it again re-reads at most once
    a minute (a conditional update decides between processes)."""

    __tablename__ = "home_tabs"

    slack_user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TicketVisit(Base):
    """A Kickserv job booked as a visit for a ReadyDesk ticket (either side may have several),
    with what the job looked like when last seen, so a change is noted once."""

    __tablename__ = "ticket_visits"

    ticket_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    job_number: Mapped[int] = mapped_column(BigInteger, primary_key=True, index=True)
    subject: Mapped[str] = mapped_column(String(255), default="")  # the ticket's, when booked
    booked_by: Mapped[str] = mapped_column(String(32))  # the Slack user; later notes are theirs
    booker_name: Mapped[str] = mapped_column(String(255), default="")
    booker_email: Mapped[str] = mapped_column(String(255), default="")
    booked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(32), default="")  # the job's, as last seen
    scheduled: Mapped[str] = mapped_column(String(40), default="")  # ISO time, as last seen
    done: Mapped[bool] = mapped_column(Boolean, default=False, index=True)  # completed/cancelled


class VisitNote(Base):
    """A note a visit owes a ticket or job, kept until written once (its intent key is the
    write's claim): a failed one is tried again by the sweeper."""

    __tablename__ = "visit_notes"

    intent_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(BigInteger)
    job_number: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))  # "ticket" or "job": where it goes
    text: Mapped[str] = mapped_column(Text)
    user_id: Mapped[str] = mapped_column(String(32))  # written as this person
    author_name: Mapped[str] = mapped_column(String(255), default="")
    author_email: Mapped[str] = mapped_column(String(255), default="")
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_try_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    written_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    offer_close: Mapped[bool] = mapped_column(Boolean, default=False)  # a visit done: Close?


class TechnicianDay(Base):
    """What a technician was last told of their jobs today and tomorrow (`told`), what the last
    poll saw (`seen`), and when it last changed: the DM goes once the changes stop for a while.
    `version` makes each change a conditional update, so one process sends each DM."""

    __tablename__ = "technician_days"

    slack_user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    told: Mapped[str] = mapped_column(Text, default="")
    seen: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class ThreadChannel(Base):
    """A channel whose card threads sync with the records (`/deskhand threads on|off`)."""

    __tablename__ = "thread_channels"

    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    synced: Mapped[bool] = mapped_column(Boolean, default=False)
    set_by: Mapped[str] = mapped_column(String(32))
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SyncedThread(Base):
    """The thread under a card that a person's reply synced: its record, and whether the notes
    the record had then (its baseline) are known, so only later ones are posted in it."""

    __tablename__ = "synced_threads"

    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    thread_ts: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_key: Mapped[str] = mapped_column(String(64), index=True)  # ticket:34, job:86001
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    baseline_done: Mapped[bool] = mapped_column(Boolean, default=False)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ThreadMark(Base):
    """Something done once in a synced thread, claimed before it is done: a note seen or
    posted there (`note:<id>`), the line saying where replies go (`where`), a person told
    they may not write (`refused:<user>`)."""

    __tablename__ = "thread_marks"

    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    thread_ts: Mapped[str] = mapped_column(String(32), primary_key=True)
    mark: Mapped[str] = mapped_column(String(96), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
