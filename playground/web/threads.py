"""Threads and reactions at the web sandbox's page: a reply typed in a thread pane, and a
reaction added from a message's menu, delivered to the app as the events Slack sends
(`message` with `thread_ts`, as message.channels has it; `reaction_added`)."""

from typing import TYPE_CHECKING

from sandbox.workspace import DM, ME

if TYPE_CHECKING:
    from bot.settings import Settings
    from playground.web.app import WebSandbox

# The reactions a message's menu offers (Slack's names); the page draws these few as emoji.
EMOJI = {
    "ticket": "🎫",
    "eyes": "👀",
    "white_check_mark": "✅",
    "inbox_tray": "📥",
    "hourglass_flowing_sand": "⏳",
    "thumbsup": "👍",
    "heart": "❤️",
    "tada": "🎉",
}
SOCIAL = ("thumbsup", "heart", "tada")  # reactions that do nothing, as most do
MAX_TEXT = 40_000  # Slack's own limit on a message's text


def emoji(name: str) -> str:
    """A reaction as the page shows it: the emoji for a name it knows, else `:name:`."""
    return EMOJI.get(name, f":{name}:")


def offered_reactions(settings: "Settings") -> tuple[str, ...]:
    """What a message's menu offers: the emoji the app acts on, as its settings name them (one
    turned off is not offered), then a few that do nothing."""
    acting = (settings.reaction_ticket, settings.reaction_assign, settings.reaction_close)
    return (*(name for name in acting if name), *SOCIAL)


async def reply(sandbox: "WebSandbox", channel: str, thread_ts: str, typed: str) -> str | None:
    """A reply typed in the thread of `thread_ts`: posted as the person and delivered as the
    `message` event. None once delivered, else why not (the page keeps the text)."""
    typed = typed.strip()[:MAX_TEXT]
    parent = sandbox.workspace.messages.get((channel, thread_ts))
    if not typed:
        return "There is nothing to send."
    if parent is None or parent.ephemeral or parent.thread_ts or channel == DM:
        return "That thread is no longer there."
    message = sandbox.workspace.post_as(ME, channel, typed, thread_ts=thread_ts)
    said = {k: v for k, v in sandbox.slack.messages[(channel, message.ts)].items()}
    said.pop("posted_by", None)  # kept by the sandbox, not sent in the event
    await sandbox.deliver_event({**said, "parent_user_id": parent.user, "event_ts": message.ts})
    return None


async def react(sandbox: "WebSandbox", channel: str, ts: str, name: str) -> None:
    """The person adds the reaction `name` to a message: `reaction_added` goes to the app."""
    message = sandbox.workspace.messages.get((channel, ts))
    if message is None or message.ephemeral or name not in offered_reactions(sandbox.settings):
        return
    if not sandbox.workspace.react(ME, message, name):
        return  # already theirs: Slack sends nothing
    await sandbox.deliver_event(sandbox.slack.person_reacts(channel, ts, ME, name))
