"""Writing once per intent: claim in the database, call the backend, record how it ended.

A repeat of the same intent (double submit, Slack's retry, a second process) finds the claim
taken and is told what the first attempt did. A failed write releases the claim so trying again
can write; a write whose outcome is unknown (no answer after sending) keeps it, and nothing is
retried by itself.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from api.errors import BackendError, Unavailable
from api.http import redact
from store import Store
from store.claims import DONE, UNKNOWN, Claim

logger = logging.getLogger("deskhand.writes")

Outcome = Literal["written", "duplicate", "failed", "unknown"]


@dataclass(frozen=True)
class Intent:
    """One thing a person asked to write, and where the audit log should say it came from."""

    key: str  # view id, action+message+user, or the command's trigger
    action: str  # e.g. "note.ticket"
    user_id: str
    channel_id: str
    target: str  # e.g. "ticket 34"
    summary: str  # what is written, shortened; secrets are redacted before it is stored


@dataclass(frozen=True)
class WriteResult:
    """How the attempt ended; `reference` is the backend's id of what was written."""

    outcome: Outcome
    reference: str | None = None
    error: BackendError | None = None
    earlier: Claim | None = None  # for a duplicate: the first attempt's claim


async def write_once(
    store: Store, intent: Intent, write: Callable[[], Awaitable[str]]
) -> WriteResult:
    """Run `write` unless this intent was already claimed; audit every attempt."""
    claim = await asyncio.to_thread(
        store.claims.claim, intent.key, action=intent.action, user_id=intent.user_id
    )
    if claim is None:
        earlier = await asyncio.to_thread(store.claims.get, intent.key)
        await _audit(store, intent, "duplicate", earlier.reference if earlier else None)
        return WriteResult("duplicate", earlier.reference if earlier else None, earlier=earlier)
    try:
        reference = await write()
    except Unavailable as err:
        if not err.maybe_applied:
            return await _failed(store, intent, err)
        await asyncio.to_thread(store.claims.finish, intent.key, state=UNKNOWN)
        await _audit(store, intent, "unknown", None, err.message)
        return WriteResult("unknown", error=err)
    except BackendError as err:
        return await _failed(store, intent, err)
    except BaseException:
        await asyncio.to_thread(store.claims.release, intent.key)
        await _audit(store, intent, "failed", None, "unexpected error")
        raise
    await asyncio.to_thread(store.claims.finish, intent.key, state=DONE, reference=reference)
    await _audit(store, intent, "written", reference)
    return WriteResult("written", reference)


async def audit_refusal(store: Store, intent: Intent, why: str) -> None:
    """Record a write that permission refused."""
    await _audit(store, intent, "refused", None, why)


async def _failed(store: Store, intent: Intent, err: BackendError) -> WriteResult:
    await asyncio.to_thread(store.claims.release, intent.key)
    await _audit(store, intent, "failed", None, err.message)
    return WriteResult("failed", error=err)


async def _audit(
    store: Store, intent: Intent, outcome: str, reference: str | None, detail: str = ""
) -> None:
    await asyncio.to_thread(
        store.audit.record, user_id=intent.user_id, channel_id=intent.channel_id,
        action=intent.action, target=intent.target, summary=redact(intent.summary),
        outcome=outcome, reference=reference, detail=redact(detail),
    )  # fmt: skip
    logger.info("%s %s by %s: %s %s", intent.action, intent.target, intent.user_id, outcome,
                reference or "")  # fmt: skip
