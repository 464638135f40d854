"""The Slack workspace the web sandbox shows, kept from what the app sent to the Slack sandbox.

Channels hold messages in the order Slack would show them: people's messages, the app's
chat.postMessage posts (thread replies under their parent), ephemeral messages (chat.postEphemeral,
and `response_url` posts unless they are `in_channel`), `chat.update` in place, `chat.delete`,
`replace_original` / `delete_original`, and `chat.unfurl` cards under the message they unfurl. The
modal stack follows views.open/push/update and the acknowledgements of submissions; Home tabs
are the Slack sandbox's own (views.publish). `sync()` reads the calls recorded since last time.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.slack import BOT_USER_ID, RecordedCall, SlackSandbox, sandbox_user

ME = "U0CONSOLE"  # the person at the page (the same person the console types as)
DM = "D0DESKHAND"  # their messages with Deskhand (the app's Messages tab)
URL = re.compile(r"https?://[^\s<>|]+")


@dataclass(frozen=True)
class Channel:
    """A place messages go: a channel, or the direct messages with Deskhand."""

    id: str
    name: str
    kind: str = "channel"  # or "app"
    topic: str = ""


CHANNELS = (
    Channel("C0SUPPORT", "support", topic="Customer tickets: look up, assign, note."),
    Channel("C0DISPATCH", "dispatch", topic="Field jobs: today's schedule, crews, changes."),
    Channel(DM, "Deskhand", kind="app"),
)
PEOPLE = (
    sandbox_user("U2", "Sam Ortiz", "sam@fieldcrew.example"),
    sandbox_user("U3", "Nora Quinn", "nora@helpdesk.example"),
)
# What people said before the page opened, so a message shortcut has something to work on.
# Each names what the seeded world has: ticket 34 is Delta Logistics' printer in accounts
# (contact Fatima Chen); Sam is on the crew of today's Demo Company job (sandbox/data.py,
# sandbox/kickserv_data.py; tests/bot/test_web_restart.py holds them to it).
SEEDED = (
    ("C0SUPPORT", "U1", "Delta Logistics called: the printer in accounts is offline again."),
    ("C0SUPPORT", "U3", "Who can take ticket 34 today? Fatima Chen asked for a callback."),
    ("C0DISPATCH", "U2", "Running 20 minutes late to the Demo Company job: traffic on Main St."),
)


@dataclass
class Message:
    """One message as Slack keeps it (its `text` and `blocks` as they were sent)."""

    ts: str
    channel: str
    user: str
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    ephemeral: bool = False  # visible only to the person at the page
    unfurls: dict[str, dict[str, Any]] = field(default_factory=dict)
    at: datetime | None = None  # when it came, by the sandbox clock (which may be ahead)

    @property
    def from_app(self) -> bool:
        """Whether Deskhand sent it."""
        return self.user == BOT_USER_ID


@dataclass
class Target:
    """Where a `response_url`'s posts go: its channel and the message it may replace."""

    channel: str
    message_ts: str | None = None
    follows_posts: bool = False  # a command's: the message it replaces is its own last post


class Workspace:
    """Channels, messages, the open modals and who is who, as the page shows them."""

    def __init__(
        self, slack: SlackSandbox, me: str = ME, *, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.slack, self.me, self._clock = slack, me, clock
        for person in PEOPLE:
            slack.users.setdefault(person["id"], person)
        self.channels = {c.id: c for c in CHANNELS}
        self.messages: dict[tuple[str, str], Message] = {}
        self.modals: list[str] = []  # open view ids, the one shown last
        self.form_values: dict[str, dict[str, Any]] = {}  # what was typed, by view and block
        self.form_errors: dict[str, dict[str, str]] = {}
        self.version = 0
        self._seen = 0
        self._targets: dict[str, Target] = {}
        # People's reactions, by (channel, ts) of the message, then emoji name: who added it.
        self.reactions: dict[tuple[str, str], dict[str, list[str]]] = {}
        for channel, user, text in SEEDED:
            self.post_as(user, channel, text)

    # -- what people do ---------------------------------------------------------------------------

    def post_as(
        self, user: str, channel: str, typed: str, *, thread_ts: str | None = None
    ) -> Message:
        """A person's message (a reply in the thread `thread_ts`), as Slack stores what they
        typed: escaped, links in `<…>`; the Slack sandbox keeps it too, for the app to read."""
        text = typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = URL.sub(lambda m: f"<{m.group(0)}>", text)
        said = self.slack.person_says(channel, user, text, thread_ts=thread_ts)
        message = Message(said["ts"], channel, user, text=text, thread_ts=thread_ts)
        self._add(message)
        return message

    def react(self, user: str, message: Message, name: str) -> bool:
        """A person adds the reaction `name` to `message`; False if they already had."""
        people = self.reactions.setdefault((message.channel, message.ts), {})
        if user in people.setdefault(name, []):
            return False
        people[name].append(user)
        self.touch()
        return True

    def reactions_on(self, message: Message) -> list[tuple[str, int]]:
        """A message's reactions, by name with how many added each, in the order added (the
        app's are the Slack sandbox's record; people's are kept here)."""
        where = (message.channel, message.ts)
        counts = dict.fromkeys(self.slack.reactions.get(where, []), 1)
        for name, users in self.reactions.get(where, {}).items():
            counts[name] = counts.get(name, 0) + len(users)
        return [(name, n) for name, n in counts.items() if n]

    def response_url(self, channel: str, message_ts: str | None = None) -> str:
        """A new `response_url` for a request made in `channel` (on the message `message_ts`)."""
        name = f"r{len(self._targets) + 1}"
        self._targets[name] = Target(channel, message_ts, follows_posts=message_ts is None)
        return self.slack.response_url(name)

    def answer_ack(self, response_url: str, ack: dict[str, Any]) -> None:
        """A slash command's acknowledgement that carries a message: shown as a reply."""
        if ack.get("text") or ack.get("blocks"):
            name = response_url.rsplit("/", 1)[-1]
            self._respond(self._targets[name], ack)

    def close_top_view(self) -> None:
        """The person closed the modal on top (or the app closed it)."""
        if self.modals:
            self._forget_view(self.modals.pop())
        self.touch()

    def after_submission(self, view_id: str, ack: dict[str, Any], typed: dict[str, Any]) -> None:
        """What Slack does with a submission's acknowledgement (`response_action`)."""
        action = ack.get("response_action")
        if action == "errors":
            self.form_values[view_id] = typed
            self.form_errors[view_id] = dict(ack.get("errors") or {})
        elif action == "update":
            self.slack.keep_view(ack.get("view") or {}, view_id=view_id)
            self._forget_view(view_id)
        elif action == "push":
            self.modals.append(self.slack.keep_view(ack.get("view") or {})["id"])
        elif action == "clear":
            for shown in self.modals:
                self._forget_view(shown)
            self.modals = []
        elif view_id in self.modals:
            self.modals.remove(view_id)
            self._forget_view(view_id)
        self.touch()

    # -- what the page shows ----------------------------------------------------------------------

    def timeline(self, channel: str) -> list[Message]:
        """A channel's messages that are not thread replies, oldest first."""
        return sorted(
            (m for m in self.messages.values() if m.channel == channel and not m.thread_ts),
            key=lambda m: float(m.ts),
        )

    def replies(self, message: Message) -> list[Message]:
        """The thread under `message`, oldest first."""
        return sorted(
            (
                m
                for m in self.messages.values()
                if m.channel == message.channel and m.thread_ts == message.ts
            ),
            key=lambda m: float(m.ts),
        )

    def view(self) -> dict[str, Any] | None:
        """The modal on top, if one is open."""
        return self.slack.views.get(self.modals[-1]) if self.modals else None

    def home(self) -> dict[str, Any] | None:
        """The Home tab Deskhand published for the person at the page."""
        return self.slack.home_tabs.get(self.me)

    def names(self) -> tuple[dict[str, str], dict[str, str]]:
        """People's and channels' names by id, for mentions."""
        users = self.slack.users.items()
        people = {uid: u.get("real_name") or u.get("name", uid) for uid, u in users}
        people[BOT_USER_ID] = "Deskhand"
        return people, {c.id: c.name for c in self.channels.values()}

    def author(self, message: Message) -> str:
        """Who a message is from, by name."""
        return self.names()[0].get(message.user, message.user)

    # -- what the app sent ------------------------------------------------------------------------

    def sync(self) -> bool:
        """Apply the calls recorded since the last sync; whether anything the page shows changed."""
        calls = self.slack.calls_since(self._seen)
        self._seen += len(calls)
        before = self.version
        for call in calls:
            self._apply(call)
        return self.version != before

    def _apply(self, call: RecordedCall) -> None:
        payload = call.payload
        if call.kind == "response_url":
            target = self._targets.get(call.name)
            if target is not None:
                self._respond(target, payload)
            return
        if not call.answer.get("ok"):
            return
        channel = self._place(str(payload.get("channel") or payload.get("user_id") or ""))
        if channel is None:
            return  # someone else's messages with Deskhand: not shown to the person here
        if call.name == "chat.postMessage":
            self._add(
                Message(
                    call.answer["ts"],
                    channel,
                    BOT_USER_ID,
                    text=payload.get("text") or "",
                    blocks=_blocks(payload),
                    thread_ts=payload.get("thread_ts") or None,
                )
            )
        elif call.name == "chat.postEphemeral":
            if payload.get("user") == self.me:
                self._add(self._ephemeral(call.answer["message_ts"], payload, channel))
        elif call.name == "chat.update":
            message = self.messages.get((channel, str(payload["ts"])))
            if message is not None:
                message.text = payload.get("text") or message.text
                message.blocks = _blocks(payload) if "blocks" in payload else message.blocks
                self.touch()
        elif call.name == "chat.delete":
            self.messages.pop((channel, str(payload["ts"])), None)
            self.touch()
        elif call.name == "chat.unfurl":
            self._unfurl(payload)
        elif call.name in ("reactions.add", "reactions.remove"):
            self.touch()  # shown from the Slack sandbox's record
        elif call.name in ("views.open", "views.push", "views.update", "views.publish"):
            self._view(call)

    def _view(self, call: RecordedCall) -> None:
        view_id = call.answer["view"]["id"]
        if call.name == "views.open":
            self.modals = [view_id]
        elif call.name == "views.push":
            self.modals.append(view_id)
        self.form_errors.pop(view_id, None)
        self.touch()

    def _respond(self, target: Target, payload: dict[str, Any]) -> None:
        """A `response_url` post: delete, replace, or a new message (ephemeral unless not)."""
        original = self.messages.get((target.channel, target.message_ts or ""))
        if payload.get("delete_original"):
            if original is not None:
                del self.messages[(original.channel, original.ts)]
                self.touch()
            return
        if payload.get("replace_original") and original is not None:
            original.text = payload.get("text") or ""
            original.blocks = _blocks(payload)
            self.touch()
            return
        message = self._ephemeral(self.slack.next_ts(), payload, target.channel)
        message.ephemeral = payload.get("response_type") != "in_channel"
        self._add(message)
        if target.follows_posts:
            target.message_ts = message.ts

    def _ephemeral(self, ts: str, payload: dict[str, Any], channel: str) -> Message:
        return Message(
            ts,
            channel,
            BOT_USER_ID,
            text=payload.get("text") or "",
            blocks=_blocks(payload),
            thread_ts=payload.get("thread_ts") or None,
            ephemeral=True,
        )

    def _unfurl(self, payload: dict[str, Any]) -> None:
        where = (str(payload.get("channel")), str(payload.get("ts")))
        message = self.messages.get(where)
        unfurls = payload.get("unfurls")
        if message is not None and isinstance(unfurls, dict):
            message.unfurls.update(unfurls)
            self.touch()

    def _place(self, channel: str) -> str | None:
        """Where a post to `channel` shows: a person's id means their messages with Deskhand
        (None for anyone else's); a channel the page has not heard of is added."""
        if channel == self.me:
            return DM
        if channel.startswith(("U", "W")):
            return None
        if channel and channel not in self.channels:
            self.channels[channel] = Channel(channel, channel.lower())
        return channel

    def _add(self, message: Message) -> None:
        if message.at is None and self._clock is not None:
            message.at = self._clock()
        self.messages[(message.channel, message.ts)] = message
        self.touch()

    def _forget_view(self, view_id: str) -> None:
        self.form_values.pop(view_id, None)
        self.form_errors.pop(view_id, None)

    def touch(self) -> None:
        """Something the page shows changed (the page redraws when the version moves)."""
        self.version += 1


def _blocks(payload: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = payload.get("blocks") or []
    return blocks if isinstance(blocks, list) else []
