"""Writing once per intent, and telling the truth about it.

An attempt opens a `pending` audit row and claims its intent in the database (with this process
as owner and a lease) before the backend is called. A repeat of the same intent (double submit,
Slack's retry, a second process) finds the claim taken and is told what the first attempt did.

Only a failure that proves nothing was applied counts as "not written": the request was never
sent, or the backend refused it with its own error (401/403/404/422, ReadyDesk's error reply).
Anything else (a 5xx, a timeout or reset after sending, a body Deskhand cannot read) is unknown
until the target is read back (api/read_back.py). Found at any read-back, it is written
("confirmed"). Not there proves nothing while the backend may still apply the request: the
claim stays "unknown" and the sweeper (workers/claims.py) reads it back on a short backoff
through the apply window; only a read-back after the window that finds nothing makes it "failed".
"""

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel

from api.errors import BackendError, MalformedResponse, Unavailable
from api.http import redact, set_read_deadline
from store import Store
from store.claims import DONE, UNKNOWN, Claim
from telemetry.metrics import CLAIMS_LOST, WRITES

logger = logging.getLogger("deskhand.writes")

Outcome = Literal["written", "confirmed", "duplicate", "failed", "unknown"]
# This process, as the owner of its claims: a restarted process is a new owner.
OWNER = f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(3)}"
RECHECK_AFTER = timedelta(minutes=1)  # past the apply window, an unreadable target's next look
FIRST_RECHECK = timedelta(seconds=2)  # inside the window: 2 s, then doubling, up to its end
STOPPED = "Deskhand stopped while writing"  # the reason when the writing process died


class WritePlan(BaseModel):
    """What any process needs to finish a write's story: how to recognise it in the target, and
    what to give back and to whom. Stored with the claim."""

    check: Literal[
        "ticket_note", "customer_note", "job_note", "job", "ticket", "ticket_fields", "job_fields"
    ]
    target: str  # the ticket number, Kickserv customer number or job number written to
    marker: str = ""  # text the written record contains (the "· ref …" of its signature)
    fields: dict[str, str] = {}  # ticket_fields, job_fields: the values once written
    typed: str = ""  # what the person typed, given back when it was not written
    response_url: str = ""  # where the person is waiting (good for 30 minutes)
    label: str = ""  # what was written, as people say it: "the note on ticket #34"
    rest: str = ""  # a part of a long note: the text of the parts after it, not sent yet
    # What was asked with it that is done only when the write is known at once, so not when it
    # is confirmed later: "assigned to Sam Ortiz" (told with a late confirmation).
    undone: str = ""


# Reads a write's target back: the write's reference when it is there, None when it is not.
ReadBack = Callable[[WritePlan], Awaitable[str | None]]


@dataclass(frozen=True)
class Intent:
    """One thing a person asked to write, and where the audit log should say it came from."""

    key: str  # view id, action+message+user, or the command's trigger
    action: str  # e.g. "note.ticket"
    user_id: str
    channel_id: str
    target: str  # e.g. "ticket #34"
    summary: str  # what is written, shortened; secrets are redacted before it is stored
    plan: WritePlan | None = None  # how to read it back; without one an unknown stays unknown
    response_url: str = ""  # where the person is waiting, when they are (kept in the plan)


@dataclass(frozen=True)
class WriteResult:
    """How the attempt ended; `reference` is the backend's id of what was written."""

    outcome: Outcome
    reference: str | None = None
    error: BackendError | None = None
    earlier: Claim | None = None  # for a duplicate: the first attempt's claim
    checked: bool = False  # a read-back of the target decided the outcome
    # For "unknown": how long until the apply window ends and the person is told how it ended
    # (None: the target could not be read back, they are told once it can be).
    wait: timedelta | None = None
    reason: str = ""  # why a reconciled write's reply was lost, as first recorded
    given_up: bool = False  # still unknown, and no longer read back: the person must look


@dataclass(frozen=True)
class WriteSettings:
    """How long a claim's owner may take before others reconcile it, how long a read-back may
    take, and how long after a lost reply a backend may still apply a write (the apply window).
    One value per Desk (bot/app.py `build_desk` makes it from the settings)."""

    lease: timedelta = timedelta(seconds=60)
    read_back_seconds: float = 8.0
    apply_window: timedelta = timedelta(seconds=60)


DEFAULTS = WriteSettings()  # immutable: a Desk built without settings writes with these


def new_marker() -> str:
    """A short reference, new for each attempt, written into what it creates so that a
    read-back recognises it (and a person can find it in the audit log); kept in the plan."""
    return "ref " + secrets.token_hex(4).upper()


def signature(name: str, marker: str) -> str:
    """The line that ends what Deskhand writes: who asked, from where, and the marker."""
    return f"— {name} via Slack · {marker}"


def proves_not_written(error: BackendError) -> bool:
    """True when `error` shows the backend did not apply the write."""
    if isinstance(error, Unavailable):
        return not error.maybe_applied  # the request never left, or nothing was sent
    # A 2xx whose body could not be read may well have been applied; NotFound, AuthFailed,
    # InvalidRequest and RateLimited are the backend's own refusal.
    return not isinstance(error, MalformedResponse)


class WritesInFlight:
    """The tasks running one Desk's writes right now: what a graceful stop of its app waits for."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[object]] = set()

    def keep_running(self) -> None:
        """Count the current task (a listener that writes) among the writes a graceful stop
        waits for, so the person is told the outcome before the process exits."""
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def running(self) -> set[asyncio.Task[object]]:
        """The tasks running a write right now."""
        return {task for task in self._tasks if not task.done()}

    async def drain(self, timeout: float) -> int:
        """Wait up to `timeout` seconds for the writes in flight; how many were still running."""
        running = self.running()
        if not running:
            return 0
        logger.info("waiting up to %.0f s for %d write(s) in flight", timeout, len(running))
        _, still = await asyncio.wait(running, timeout=timeout)
        return len(still)


async def write_once(
    store: Store,
    intent: Intent,
    write: Callable[[], Awaitable[str]],
    *,
    read_back: ReadBack | None = None,
    settings: WriteSettings = DEFAULTS,
) -> WriteResult:
    """Run `write` unless this intent was already claimed; audit and reconcile every attempt.

    `read_back(plan)` returns the reference of the write when the target shows it, None when it
    shows it is not there, and raises BackendError when the target cannot be read.
    """
    audit_id = await _begin_audit(store, intent)
    plan = intent.plan.model_dump_json() if intent.plan else ""
    claim = await store.claims.claim(
        intent.key,
        action=intent.action,
        user_id=intent.user_id,
        owner=OWNER,
        lease=settings.lease,
        plan=plan,
        audit_id=audit_id,
    )
    if claim is None:
        earlier = await store.claims.get(intent.key)
        reference = earlier.reference if earlier else None
        if earlier is not None and earlier.owner not in ("", OWNER):
            CLAIMS_LOST.labels("write").inc()  # another process has it, not a double click here
        await _complete(store, intent, audit_id, "duplicate", reference)
        WRITES.labels(intent.action, "duplicate").inc()
        if earlier is not None and earlier.state == UNKNOWN:
            # Nothing runs: the first attempt waits to be confirmed, and its person will be told.
            wait = _still_to_wait(earlier, settings.apply_window)
            return WriteResult("unknown", earlier=earlier, wait=wait)
        return WriteResult("duplicate", reference, earlier=earlier)
    try:
        reference = await write()
    except BackendError as err:
        if proves_not_written(err):
            return _counted(intent, await _not_written(store, intent, audit_id, err))
        reconciled = await reconcile(store, intent, audit_id, err, read_back, settings=settings)
        return _counted(intent, reconciled)
    except BaseException:
        # A bug of ours before or after sending: the outcome is not known either.
        WRITES.labels(intent.action, "unknown").inc()
        await store.claims.finish(intent.key, state=UNKNOWN, recheck_at=datetime.now(UTC))
        await _complete(store, intent, audit_id, "unknown", None, "unexpected error")
        raise
    await store.claims.finish(intent.key, state=DONE, reference=reference)
    await _complete(store, intent, audit_id, "written", reference)
    return _counted(intent, WriteResult("written", reference))


def outcome_label(outcome: Outcome) -> str:
    """The outcome as /metrics names it: "failed" is said "not_written" there."""
    return "not_written" if outcome == "failed" else outcome


async def not_sent(store: Store, intent: Intent, error: BackendError) -> WriteResult:
    """A write refused before anything was sent (e.g. its author could not be looked up):
    audited and counted like every other intent, and not written."""
    await _complete(store, intent, None, "failed", None, f"not sent: {error.message}")
    return _counted(intent, WriteResult("failed", error=error))


def _counted(intent: Intent, result: WriteResult) -> WriteResult:
    WRITES.labels(intent.action, outcome_label(result.outcome)).inc()
    return result


@dataclass(frozen=True)
class Settling:
    """Where a later read-back stands: when the writer gave up on the reply, the time now, and
    why the reply was lost (the sweeper's; the write path's own are now and its error)."""

    gave_up: datetime
    now: datetime
    reason: str


async def reconcile(
    store: Store,
    intent: Intent,
    audit_id: int | None,
    error: BackendError | None,
    read_back: ReadBack | None,
    settling: Settling | None = None,
    *,
    settings: WriteSettings = DEFAULTS,
) -> WriteResult:
    """Decide an unproven outcome by reading the target back; record and return it.

    Found: confirmed. Not there: still unknown while the apply window since the writer gave up
    runs; after it, not written. Unreadable: unknown, read back again later.
    """
    now = settling.now if settling else datetime.now(UTC)
    gave_up = settling.gave_up if settling else now
    why = settling.reason if settling else _why(error)
    window_end = gave_up + settings.apply_window
    found: str | None = None
    checked = False
    if read_back is not None and intent.plan is not None:
        # A fresh deadline: the request's was likely spent waiting for the reply that failed.
        set_read_deadline(settings.read_back_seconds)
        try:
            found = await read_back(intent.plan)
            checked = True
        except BackendError as err:
            logger.info("%s %s: read-back failed: %s", intent.action, intent.target, err.message)
        except Exception:
            # Not the backend's answer (a client a stop closed meanwhile, a bug of ours): it
            # proves nothing either way, and the write may have landed, so it stays unknown.
            logger.warning("%s %s: read-back failed", intent.action, intent.target, exc_info=True)
    if found is not None:
        await store.claims.finish(intent.key, state=DONE, reference=found)
        await _complete(store, intent, audit_id, "confirmed", found, why)
        return WriteResult("confirmed", found, error=error, checked=True, reason=why)
    if checked and now >= window_end:
        return await _not_written(store, intent, audit_id, error, why=why, checked=True)
    inside = now < window_end
    step = max(FIRST_RECHECK, now - gave_up)  # doubling the time since the writer gave up
    recheck = min(now + step, window_end) if inside else now + RECHECK_AFTER
    if settling is None:
        await store.claims.finish(intent.key, state=UNKNOWN, recheck_at=recheck)
    else:
        await store.claims.recheck(intent.key, at=recheck)
    await _complete(store, intent, audit_id, "unknown", None, why)
    wait = window_end - now if checked and inside else None
    return WriteResult("unknown", error=error, checked=checked, wait=wait, reason=why)


def _still_to_wait(claim: Claim, apply_window: timedelta) -> timedelta | None:
    """How long until an unknown claim's apply window ends (None when it already has)."""
    if claim.finished_at is None:
        return None
    left = claim.finished_at + apply_window - datetime.now(UTC)
    return left if left > timedelta(0) else None


async def _not_written(
    store: Store,
    intent: Intent,
    audit_id: int | None,
    err: BackendError | None,
    *,
    why: str = "",
    checked: bool = False,
) -> WriteResult:
    await store.claims.release(intent.key)
    note = "(read back after the apply window: not there)" if checked else ""
    why = why or _why(err)
    await _complete(store, intent, audit_id, "failed", None, why, note)
    return WriteResult("failed", error=err, checked=checked, reason=why)


def _why(error: BackendError | None) -> str:
    return error.message if error else STOPPED


async def _complete(
    store: Store,
    intent: Intent,
    audit_id: int | None,
    outcome: str,
    reference: str | None,
    detail: str = "",
    note: str = "",
) -> None:
    if audit_id is None:
        audit_id = await _begin_audit(store, intent)
    await store.audit.complete(
        audit_id, outcome=outcome, reference=reference, detail=redact(detail), note=note
    )
    logger.info(
        "%s %s by %s: %s %s", intent.action, intent.target, intent.user_id, outcome, reference or ""
    )


async def _begin_audit(store: Store, intent: Intent) -> int:
    """The intent's `pending` audit row, its summary scrubbed of secrets."""
    return await store.audit.begin(
        user_id=intent.user_id,
        channel_id=intent.channel_id,
        action=intent.action,
        target=intent.target,
        summary=redact(intent.summary),
    )
