"""conversations.history and conversations.replies in the Slack fake: a channel's messages and a
thread's, as Slack pages them."""

from typing import Any

Messages = dict[tuple[str, str], dict[str, Any]]


def history_page(
    messages: Messages, payload: dict[str, Any], author: dict[str, str]
) -> dict[str, Any]:
    """A channel's messages newest first (thread replies are in their thread only), those after
    `oldest` (and before `latest` or the `cursor`; at them too when `inclusive`), `limit` a
    page; their `metadata` only when `include_all_metadata` is true, as Slack answers (`author`:
    who the app's messages show as posted by)."""
    channel = str(payload.get("channel") or "")
    within = _window(payload, latest=payload.get("cursor") or payload.get("latest"))
    limit = max(1, min(int(payload.get("limit") or 100), 999))
    with_metadata = _true(payload.get("include_all_metadata"))
    found = sorted(
        (
            (float(ts), ts, message)
            for (where, ts), message in messages.items()
            if where == channel and within(ts) and message.get("thread_ts") in (None, ts)
        ),
        reverse=True,
    )
    page = [_as_history(ts, m, author, with_metadata) for _, ts, m in found[:limit]]
    more = len(found) > limit
    return {
        "ok": True,
        "messages": page,
        "has_more": more,
        "pin_count": 0,
        "response_metadata": {"next_cursor": page[-1]["ts"] if more else ""},
    }


def replies_page(
    messages: Messages, payload: dict[str, Any], author: dict[str, str]
) -> dict[str, Any]:
    """The thread of the message `ts` (its parent, or any reply in it): the parent first, then
    the replies oldest first within `oldest`/`latest` (`inclusive`), `limit` of them; a message
    with no replies is a thread of one. `thread_not_found` for a message that is not there."""
    channel, ts = str(payload.get("channel") or ""), str(payload.get("ts") or "")
    message = messages.get((channel, ts))
    root = str((message or {}).get("thread_ts") or ts)
    if message is None or (channel, root) not in messages:
        return {"ok": False, "error": "thread_not_found"}
    within = _window(payload, latest=payload.get("latest"))
    replies = sorted(
        (
            t
            for (where, t), m in messages.items()
            if where == channel and m.get("thread_ts") == root and t != root and within(t)
        ),
        key=float,
    )
    limit = max(1, min(int(payload.get("limit") or 1000), 1000))
    with_metadata = _true(payload.get("include_all_metadata"))
    shown = [root, *replies[:limit]]
    return {
        "ok": True,
        "messages": [_as_history(t, messages[(channel, t)], author, with_metadata) for t in shown],
        "has_more": len(replies) > limit,
    }


def _window(payload: dict[str, Any], *, latest: Any) -> Any:
    """Whether a ts is inside the asked time range."""
    oldest, newest = float(payload.get("oldest") or 0), float(latest or "inf")
    if _true(payload.get("inclusive")):
        return lambda ts: oldest <= float(ts) <= newest
    return lambda ts: oldest < float(ts) < newest


def _true(value: Any) -> bool:
    return str(value).lower() in ("true", "1")


def _as_history(
    ts: str, posted: dict[str, Any], author: dict[str, str], with_metadata: bool
) -> dict[str, Any]:
    """A message (the app's, or a person's: `posted_by`), as conversations.history shows it."""
    message = {"type": "message", **(posted.get("posted_by") or author), "ts": ts}
    message["text"] = posted.get("text", "")
    for key in ("blocks", "thread_ts"):
        if posted.get(key):
            message[key] = posted[key]
    metadata = posted.get("metadata")
    if with_metadata and isinstance(metadata, dict):
        message["metadata"] = {**metadata, "app_id": author.get("app_id", "")}
    return message
