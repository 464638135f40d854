"""conversations.history in the Slack fake: a channel's messages as Slack pages them."""

from typing import Any


def history_page(
    messages: dict[tuple[str, str], dict[str, Any]], payload: dict[str, Any], author: dict[str, str]
) -> dict[str, Any]:
    """A channel's messages newest first, those after `oldest` (and before `latest` or the
    `cursor`), `limit` a page; their `metadata` only when `include_all_metadata` is true, as
    Slack answers (`author`: who the app's messages show as posted by)."""
    channel = str(payload.get("channel") or "")
    oldest = float(payload.get("oldest") or 0)
    latest = float(payload.get("cursor") or payload.get("latest") or "inf")
    limit = max(1, min(int(payload.get("limit") or 100), 999))
    with_metadata = str(payload.get("include_all_metadata")).lower() in ("true", "1")
    found = sorted(
        (
            (float(ts), ts, message)
            for (where, ts), message in messages.items()
            if where == channel and oldest < float(ts) < latest
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


def _as_history(
    ts: str, posted: dict[str, Any], author: dict[str, str], with_metadata: bool
) -> dict[str, Any]:
    """A message the app posted, as conversations.history shows it."""
    by = posted.get("_author") or author  # a person's message (`person_says`), else the app's
    message = {"type": "message", **by, "text": posted.get("text", ""), "ts": ts}
    if posted.get("blocks"):
        message["blocks"] = posted["blocks"]
    metadata = posted.get("metadata")
    if with_metadata and isinstance(metadata, dict):
        message["metadata"] = {**metadata, "app_id": author.get("app_id", "")}
    return message
