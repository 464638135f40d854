"""Writing once per intent, and telling the truth about it.

An attempt opens a `pending` audit row and claims its intent in the database (with this process
as owner and a lease) before the backend is called. A repeat of the same intent (double submit,
Slack's retry, a second process) finds the claim taken and is told what the first attempt did.

Only a failure that proves nothing was applied counts as "not written": the request was never
sent, or the backend refused it with its own error (401/403/404/422, ReadyDesk's error reply).
Anything else (a 5xx, a timeout or reset after sending, a body Deskhand cannot read) is unknown
until the target is read back (api/read_back.py): written ("confirmed"), not there ("failed"),
or, when the read-back fails too, "unknown" — kept claimed, and read back again by the sweeper.
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
RECHECK_AFTER = timedelta(minutes=1)  # an unknown outcome is read back again this much later


class WritePlan(BaseModel):
    """What any process needs to finish a write's story: how to recognise it in the target, and
    what to give back and to whom. Stored with the claim."""

    check: Literal["ticket_note", "customer_note", "job_note", "job", "ticket", "ticket_fields"]
    target: str  # the ticket number, Kickserv customer number or job number written to
    marker: str = ""  # text the written record contains (the "· ref …" of its signature)
    fields: dict[str, str] = {}  # ticket_fields: the values the ticket has once written
    typed: str = ""  # what the person typed, given back when it was not written
    response_url: str = ""  # where the person is waiting (good for 30 minutes)
    label: str = ""  # what was written, as people say it: "the note on ticket #34"


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


class WriteSettings:
    """How long a claim's owner may take before others reconcile it, and how long a read-back
    may take (set from the settings)."""

    lease = timedelta(seconds=60)
    read_back_seconds = 8.0


_in_flight: set[asyncio.Task[object]] = set()


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


def keep_running() -> None:
    """Count the current task (a listener that writes) among the writes a graceful stop waits
    for, so the person is told the outcome before the process exits."""
    task = asyncio.current_task()
    if task is not None:
        _in_flight.add(task)
        task.add_done_callback(_in_flight.discard)


def writes_in_flight() -> set[asyncio.Task[object]]:
    """The tasks running a write right now (what a graceful stop waits for)."""
    return {task for task in _in_flight if not task.done()}


async def write_once(
    store: Store,
    intent: Intent,
    write: Callable[[], Awaitable[str]],
    *,
    read_back: ReadBack | None = None,
) -> WriteResult:
    """Run `write` unless this intent was already claimed; audit and reconcile every attempt.

    `read_back(plan)` returns the reference of the write when the target shows it, None when it
    shows it is not there, and raises BackendError when the target cannot be read.
    """
    keep_running()
    audit_id = await store.audit.begin(
        user_id=intent.user_id,
        channel_id=intent.channel_id,
        action=intent.action,
        target=intent.target,
        summary=redact(intent.summary),
    )
    plan = intent.plan.model_dump_json() if intent.plan else ""
    claim = await store.claims.claim(
        intent.key,
        action=intent.action,
        user_id=intent.user_id,
        owner=OWNER,
        lease=WriteSettings.lease,
        plan=plan,
        audit_id=audit_id,
    )
    if claim is None:
        earlier = await store.claims.get(intent.key)
        reference = earlier.reference if earlier else None
        if earlier is not None and earlier.owner not in ("", OWNER):
            CLAIMS_LOST.labels("write").inc()  # another process has it, not a double click here
        await _complete(store, intent, audit_id, "duplicate", reference)
        return _counted(intent, WriteResult("duplicate", reference, earlier=earlier))
    try:
        reference = await write()
    except BackendError as err:
        if proves_not_written(err):
            return _counted(intent, await _not_written(store, intent, audit_id, err))
        return _counted(intent, await reconcile(store, intent, audit_id, err, read_back))
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


def _counted(intent: Intent, result: WriteResult) -> WriteResult:
    WRITES.labels(intent.action, outcome_label(result.outcome)).inc()
    return result


async def reconcile(
    store: Store,
    intent: Intent,
    audit_id: int | None,
    error: BackendError | None,
    read_back: ReadBack | None,
) -> WriteResult:
    """Decide an unproven outcome by reading the target back; record and return it."""
    if read_back is not None and intent.plan is not None:
        # A fresh deadline: the request's was likely spent waiting for the reply that failed.
        set_read_deadline(WriteSettings.read_back_seconds)
        try:
            found = await read_back(intent.plan)
        except BackendError as err:
            logger.info("%s %s: read-back failed: %s", intent.action, intent.target, err.message)
        else:
            if found is not None:
                await store.claims.finish(intent.key, state=DONE, reference=found)
                await _complete(store, intent, audit_id, "confirmed", found, _why(error))
                return WriteResult("confirmed", found, error=error, checked=True)
            return await _not_written(store, intent, audit_id, error, checked=True)
    recheck = datetime.now(UTC) + RECHECK_AFTER
    await store.claims.finish(intent.key, state=UNKNOWN, recheck_at=recheck)
    await _complete(store, intent, audit_id, "unknown", None, _why(error))
    return WriteResult("unknown", error=error)


async def _not_written(
    store: Store,
    intent: Intent,
    audit_id: int | None,
    err: BackendError | None,
    *,
    checked: bool = False,
) -> WriteResult:
    await store.claims.release(intent.key)
    detail = _why(err) + (" (read back: not there)" if checked else "")
    await _complete(store, intent, audit_id, "failed", None, detail.strip())
    return WriteResult("failed", error=err, checked=checked)


def _why(error: BackendError | None) -> str:
    return error.message if error else "Deskhand stopped while writing"


async def _complete(
    store: Store,
    intent: Intent,
    audit_id: int | None,
    outcome: str,
    reference: str | None,
    detail: str = "",
) -> None:
    if audit_id is None:
        audit_id = await store.audit.begin(
            user_id=intent.user_id,
            channel_id=intent.channel_id,
            action=intent.action,
            target=intent.target,
            summary=redact(intent.summary),
        )
    await store.audit.complete(
        audit_id, outcome=outcome, reference=reference, detail=redact(detail)
    )
    logger.info(
        "%s %s by %s: %s %s", intent.action, intent.target, intent.user_id, outcome, reference or ""
    )


async def drain(timeout: float) -> int:
    """Wait up to `timeout` seconds for the writes in flight; how many were still running."""
    running = writes_in_flight()
    if not running:
        return 0
    logger.info("waiting up to %.0f s for %d write(s) in flight", timeout, len(running))
    _, still = await asyncio.wait(running, timeout=timeout)
    return len(still)
