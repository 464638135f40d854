"""The console's `reply <text>` and `react <emoji>`: a person answers in the thread of the newest
message Deskhand posted in the console's channel (a shared card, say), or reacts to it; the app
hears the `message` / `reaction_added` event Slack would send."""

from typing import Any, Protocol

from playground.slack_requests import SlackRequests
from sandbox.slack import SlackSandbox


class Console(Protocol):
    """What a reply or a reaction needs of the console."""

    slack: SlackSandbox
    requests: SlackRequests

    async def deliver(self, body: str, mark: int) -> list[dict[str, Any]]:
        """Deliver a signed body; the replies it made since Slack call number `mark`."""
        ...


NO_MESSAGE = "Nothing Deskhand posted in this channel yet: share a card first (`Share in channel`)."


def newest_post(console: Console, channel: str) -> str | None:
    """The ts of the newest message (not a reply) in `channel`, if there is one."""
    posted = [
        ts
        for (where, ts), m in console.slack.messages.items()
        if where == channel and not m.get("thread_ts")
    ]
    return max(posted, key=float, default=None)


async def reply(console: Console, channel: str, user: str, text: str) -> list[dict[str, Any]]:
    """`reply <text>`: a reply by the person in the newest message's thread."""
    thread_ts = newest_post(console, channel)
    if thread_ts is None or not text.strip():
        return [_said(NO_MESSAGE if thread_ts is None else "Usage: reply <text>")]
    mark = len(console.slack.calls)
    event = console.slack.person_says(channel, user, text.strip(), thread_ts=thread_ts)
    return await console.deliver(console.requests.event({**event, "event_ts": event["ts"]}), mark)


async def react(console: Console, channel: str, user: str, name: str) -> list[dict[str, Any]]:
    """`react <emoji>` (`ticket` or `:ticket:`): the person reacts to the newest message."""
    ts, name = newest_post(console, channel), name.strip().strip(":")
    if ts is None or not name:
        return [_said(NO_MESSAGE if ts is None else "Usage: react <emoji name>, e.g. react ticket")]
    mark = len(console.slack.calls)
    event = console.slack.person_reacts(channel, ts, user, name)
    return await console.deliver(console.requests.event(event), mark)


def _said(text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": text, "blocks": [], "via": "console"}
