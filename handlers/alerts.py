"""`/deskhand watch tickets|jobs …`, `/deskhand watches`, `unwatch`, `pause-watch`,
`resume-watch`."""

import json
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from api.desk import Desk
from api.errors import BackendError
from cards.common import paused_note
from cards.config import HandlerConfig
from cards.mrkdwn import escape_mrkdwn, truncate
from cards.refs import typed_number
from cards.watches import describe_watch, watch_line, watch_text
from handlers.args import UsageError, did_you_mean, kept_reply, typed_line, usage_text, wants_help
from handlers.subcommands import Subcommands
from handlers.ticket_filters import resolve, split_filters
from store import Store
from store.alerts import Watch

WATCH_USAGE = (
    "Usage: `/deskhand watch tickets [filters]` (e.g. `/deskhand watch tickets priority:urgent`) "
    "or `/deskhand watch jobs [today|tomorrow] [status:<status>]`."
)
# Kickserv has no statuses endpoint; these are the ones its jobs are known to take.
JOB_STATUSES = (
    "new",
    "unscheduled",
    "scheduled",
    "in_progress",
    "on_hold",
    "completed",
    "canceled",
    "lost",
    "won",
)


def register(app: AsyncApp, subcommands: Subcommands) -> None:
    """Add the watch subcommands to `/deskhand` (all but `watches` change a channel's watches)."""
    table = subcommands
    table.add("watch", watch, writes=True)
    table.add("watches", watches, bare="watch")
    table.add("unwatch", unwatch, writes=True)
    table.add("pause-watch", pause_watch, writes=True)
    table.add("resume-watch", resume_watch, writes=True)


async def watch(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    desk: Desk,
    store: Store,
    config: HandlerConfig,
) -> None:
    """Post each new matching ticket in this channel (the first poll sets the baseline)."""
    await ack()
    kind, _, filters = command.get("text", "").strip().partition(" ")
    if wants_help(kind):
        await respond(response_type="ephemeral", text=usage_text("watch"))
        return
    try:
        if kind.lower() == "jobs":
            saved = json.dumps(job_window(filters))
        elif kind.lower() == "tickets":
            choices = await desk.filter_choices(config.priorities)
            query = resolve(split_filters(filters), choices, now=config.now())
            saved = query.model_dump_json(exclude_defaults=True, exclude={"kind", "page"})
        else:
            raise UsageError(f"Deskhand can watch `tickets` and `jobs`. {WATCH_USAGE}")
        await _not_watched_yet(store, command["channel_id"], kind.lower(), saved)
    except UsageError as err:
        said = kept_reply(str(err), typed_line(command))
        await respond(response_type="ephemeral", **said.message())
        return
    added = await store.alerts.add(
        channel_id=command["channel_id"],
        kind=kind.lower(),
        filters=saved,
        created_by=command["user_id"],
        cursor=await _newest_ticket(desk) if kind.lower() == "tickets" else None,
    )
    await _audit(store, command, "watch", added)
    what = "New tickets" if added.kind == "tickets" else "Jobs new or changed on that day"
    text = f"Watching `#{added.id}`: {describe_watch(added)}. {what} will appear here."
    await respond(response_type="ephemeral", text=text)


async def _not_watched_yet(store: Store, channel_id: str, kind: str, filters: str) -> None:
    """UsageError naming the watch of this channel that already looks for exactly that: a
    second would post every match twice."""
    for w in await store.alerts.in_channel(channel_id):
        if w.kind == kind and w.filters == filters:
            paused = f" It is paused: `/deskhand resume-watch {w.id}` starts it again." * w.paused
            raise UsageError(
                f"This channel already watches that: `#{w.id}` {describe_watch(w)}.{paused}"
            )


async def _newest_ticket(desk: Desk) -> int | None:
    """Where a ticket watch starts: the newest ticket now, so one opened before its first poll
    is alerted; None when ReadyDesk cannot say (the first poll sets it then)."""
    try:
        return await desk.newest_ticket_number()
    except BackendError:
        return None


def job_window(text: str) -> dict[str, str]:
    """`[today|tomorrow] [status:<status>]` as a job watch's saved filters."""
    saved = {"window": "today"}
    given: set[str] = set()
    for word in text.split():
        key, colon, value = word.partition(":")
        what = "day" if word.lower() in ("today", "tomorrow") else key.lower() if colon else ""
        if what and what in given:
            raise UsageError(f"Give the {what} once: `{escape_mrkdwn(word)}` is a second one.")
        given.add(what)
        if what == "day":
            saved["window"] = word.lower()
        elif colon and key.lower() == "status":
            if value.lower() not in JOB_STATUSES:
                problem = f"Kickserv has no job status `{escape_mrkdwn(value)}`."
                raise UsageError(did_you_mean(problem, value, JOB_STATUSES, "Statuses"))
            saved["status"] = value.lower()
        else:
            raise UsageError(
                f"Job watches take a day and a status, not `{escape_mrkdwn(word)}`. {WATCH_USAGE}"
            )
    return saved


async def watches(
    ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, store: Store
) -> None:
    """This channel's watches."""
    await ack()
    found = await store.alerts.in_channel(command["channel_id"])
    if not found:
        await respond(response_type="ephemeral", text=f"Nothing is watched here. {WATCH_USAGE}")
        return
    lines = []
    for w in found:
        state = paused_note(w.paused_reason) if w.paused else ""
        lines.append(f"{watch_line(w)}{state}")
    await respond(response_type="ephemeral", text="Watches in this channel:\n" + "\n".join(lines))


async def unwatch(
    ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, store: Store
) -> None:
    """Stop a watch of this channel."""
    await ack()
    found = await _watch_here(command, respond, store)
    if found is not None:
        await store.alerts.remove(found.id)
        await _audit(store, command, "unwatch", found)
        await respond(response_type="ephemeral", text=f"Stopped watch #{found.id}.")


async def pause_watch(
    ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, store: Store
) -> None:
    """Pause a watch of this channel (nothing is posted until it resumes)."""
    await ack()
    found = await _watch_here(command, respond, store)
    if found is not None:
        await store.alerts.set_paused(found.id, True, "paused by hand")
        await _audit(store, command, "pause-watch", found)
        await respond(response_type="ephemeral", text=f"Watch #{found.id} is paused.")


async def resume_watch(
    ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, store: Store
) -> None:
    """Resume a paused watch; tickets that arrived meanwhile come as one summary when many."""
    await ack()
    found = await _watch_here(command, respond, store)
    if found is not None:
        await store.alerts.set_paused(found.id, False)
        await _audit(store, command, "resume-watch", found)
        await respond(response_type="ephemeral", text=f"Watch #{found.id} is watching again.")


async def _audit(store: Store, command: dict[str, Any], action: str, watch: Watch) -> None:
    """The change to a watch, in the audit log."""
    await store.audit.setting(
        user_id=command["user_id"],
        channel_id=command.get("channel_id", ""),
        action=action,
        target=f"watch #{watch.id}",
        summary=f"{watch.kind}: {watch_text(watch)}",
    )


async def _watch_here(command: dict[str, Any], respond: AsyncRespond, store: Store) -> Watch | None:
    """The watch the command names, if it belongs to this channel; otherwise says so."""
    number = command.get("text", "").strip().lstrip("#")
    wanted = typed_number(number)
    found = await store.alerts.get(wanted) if wanted else None
    if found is not None and found.channel_id != command["channel_id"]:
        if found.created_by == command["user_id"]:  # theirs (Home lists it): say where it is
            text = f"Watch `#{found.id}` is in <#{found.channel_id}>: run this there."
            await respond(response_type="ephemeral", text=text)
            return None
        found = None  # someone else's, in a channel that may be private: not named
    if found is None:
        shown = escape_mrkdwn(truncate(number, 10))
        text = (
            f"This channel has no watch `#{shown}`. `/deskhand watches` lists them."
            if number
            else "Which watch? Give its number, e.g. `#1`; `/deskhand watches` lists them."
        )
        await respond(response_type="ephemeral", text=text)
        return None
    return found
