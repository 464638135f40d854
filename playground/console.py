"""`deskhand console`: type slash commands, see the replies, with the real app and the sandboxes.

Each line is delivered to the real AsyncApp exactly as Slack would deliver a slash command: a
signed form-encoded request with a `response_url` that points at the Slack sandbox. Whatever the
app sends back (the ack body, `respond()` posts, Web API calls) is rendered in the terminal, or
printed one JSON object a line with `--json` (console_lines.py reads the lines and prints them).
"""

import json
import secrets
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from pydantic import SecretStr
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from api.desk import Desk
from bot.app import Sandboxes, build_app, build_desk, build_sandboxes
from bot.settings import Settings
from cards import ids
from playground import console_threads
from playground.console_steps import run_step
from playground.console_work import ListenerWork
from playground.slack_requests import SlackRequests, as_slack_sends, input_state
from sandbox.clock import SandboxClock
from sandbox.faults import Faults
from sandbox.slack import SANDBOX_BOT_TOKEN, RecordedCall, SlackSandbox
from sandbox.world import World
from store import Store

CONSOLE_USER = "U0CONSOLE"
CONSOLE_CHANNEL = "C0CONSOLE"
USER = {"id": CONSOLE_USER, "name": "you"}
CHANNEL = {"id": CONSOLE_CHANNEL, "name": "console"}
HELP_ALIASES = {"help", "?", "/help"}
# Message shortcuts by the name people see (the manifest's `name`; test-checked).
SHORTCUT_NAMES = {
    "add as note": ids.ADD_AS_NOTE,
    "create ticket": ids.CREATE_TICKET_FROM_MESSAGE,
    "create job": ids.CREATE_JOB_FROM_MESSAGE,
}
# Commands whose manifest entry has should_escape: true; Slack escapes their text (test-checked).
ESCAPED_COMMANDS = {ids.DESKHAND_COMMAND}


class Console:
    """The real app wired to a Slack sandbox, and a way to push slash commands through it.

    Everything reads `clock` (a fresh sandbox clock unless given). With `world`, the sandbox
    backends change as time passes (sandbox/world.py): new tickets, jobs moving on.
    """

    def __init__(
        self, settings: Settings, *, clock: SandboxClock | None = None, world: bool = False
    ) -> None:
        self._settings = settings
        self.clock = clock or SandboxClock()
        self._with_world = world
        self.world: World | None = None
        self.slack = SlackSandbox()
        self._signing_secret = secrets.token_hex(16)
        self.requests = SlackRequests(self._signing_secret)  # signed as Slack signs them
        self._app: AsyncApp | None = None
        self.sandboxes = Sandboxes()  # the fakes' worlds, once started
        self._counter = 0
        self._last_blocks: list[dict[str, Any]] = []
        self._last_ts = ""  # the newest card's message ts, as Slack would report it

    async def __aenter__(self) -> "Console":
        await self.slack.start()
        # The person at the console runs the bot, so they are its admin unless admins are set.
        admins = self._settings.admins or CONSOLE_USER
        settings = self._settings.model_copy(
            update={
                "admins": admins,
                "slack_api_url": self.slack.api_url,
                "slack_bot_token": SecretStr(SANDBOX_BOT_TOKEN),
                "slack_signing_secret": SecretStr(self._signing_secret),
            }
        )
        self._app_settings = settings
        self.store = Store("sqlite://", clock=self.clock)  # the audit log on the sandbox time
        await self.store.migrate()
        self.sandboxes = sandboxes = build_sandboxes(settings, self.clock)
        self._desk = build_desk(settings, self.store, sandboxes)
        # Served as in production: the ack returns before the listener finishes. The console
        # waits for the listener work each line started, so it prints every reply in order.
        self._app = build_app(settings, self._desk, store=self.store, clock=self.clock)
        self._work = ListenerWork()
        self._work.install(self._app)
        self._desk.start()  # as a served process does: the directory fills from now
        if self._with_world:
            self.world = World(
                self.clock, sandboxes.readydesk, sandboxes.kickserv, timezone=settings.timezone
            )
            self.world.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.world is not None:
            await self.world.aclose()
        self._work.uninstall()
        await self._desk.aclose()
        await self.store.close()
        await self.slack.stop()

    @property
    def desk(self) -> Desk:
        """The app's Desk (the API layer it reads and writes through), for scripts and tests."""
        return self._desk

    @property
    def app(self) -> AsyncApp:
        """The app as served (the Bolt AsyncApp), for scripts and tests."""
        assert self._app is not None, "the console is not started"
        return self._app

    @property
    def app_settings(self) -> Settings:
        """The settings the app runs with (the given ones, pointed at the Slack sandbox)."""
        return self._app_settings

    async def settle(self) -> None:
        """Wait until the listener work the last request started (in this task) is done."""
        await self._work.wait()

    def fake(self, backend: str) -> Any:
        """The sandbox fake API of `backend` ("readydesk" or "kickserv"): the ASGI app the
        Desk's client talks to, with its world in `state.data` and fault switches in
        `state.faults`."""
        return self.sandboxes.fakes[backend]

    def faults(self, backend: str) -> Faults:
        """The fault switches of `backend`'s sandbox fake ("readydesk" or "kickserv")."""
        return self.fake(backend).state.faults

    async def send(self, line: str) -> list[dict[str, Any]]:
        """Deliver a typed line (a slash command or `click <button>`); return the replies."""
        line = line.strip()
        if line.lower() in HELP_ALIASES:
            line = f"{ids.DESKHAND_COMMAND} help"
        command, _, text = line.partition(" ")
        if command.lower() == "click":
            return await self.click(text)
        if command.lower() == "choose":
            return await self.choose(text)
        if command.lower() == "shortcut":
            return await self.shortcut(text)
        if command.lower() in ("reply", "react"):  # in/on the newest message's thread
            said = {"reply": console_threads.reply, "react": console_threads.react}[command.lower()]
            return await said(self, CONSOLE_CHANNEL, CONSOLE_USER, text)
        if command.lower() == "run-step":
            return await run_step(self, text, CONSOLE_USER)
        if command not in ids.SLASH_COMMANDS:
            known = ", ".join(ids.SLASH_COMMANDS)
            return [_reply("console", f"Unknown command `{command}`. Try `help` ({known}).")]
        self._counter += 1
        mark = len(self.slack.calls)
        text = text.strip()
        body = self.requests.command(
            command,
            as_slack_sends(text, self.slack.users) if command in ESCAPED_COMMANDS else text,
            user=USER,
            channel=CHANNEL,
            response_url=self.slack.response_url(f"cmd{self._counter}"),
        )
        return await self.deliver(body, mark)

    async def click(self, label: str) -> list[dict[str, Any]]:
        """Press the button labelled `label` on the newest card, as Slack's block_actions would."""
        found = _find_button(self._last_blocks, label.strip())
        if found is None:
            names = ", ".join(b["text"]["text"] for _, b in _buttons(self._last_blocks)) or "none"
            return [_reply("console", f"No button `{label.strip()}` on the last card ({names}).")]
        block_id, button = found
        action = {
            "type": "button",
            "action_id": button["action_id"],
            "text": button["text"],
            "value": button.get("value", ""),
        }
        return await self._press(block_id, action)

    async def choose(self, option: str) -> list[dict[str, Any]]:
        """Pick `option` in the select on the newest card (e.g. a ticket's Status)."""
        for block in self._last_blocks:
            for element in block.get("elements", []) if block.get("type") == "actions" else []:
                if element.get("type") != "static_select":
                    continue
                for choice in element.get("options", []):
                    if choice["text"]["text"].lower() == option.strip().lower():
                        action = {
                            "type": "static_select",
                            "action_id": element["action_id"],
                            "selected_option": choice,
                        }
                        return await self._press(block.get("block_id", ""), action)
        return [_reply("console", f"No select with `{option.strip()}` on the last card.")]

    async def shortcut(self, text: str) -> list[dict[str, Any]]:
        """`shortcut "Add as note" <message text>`: the message shortcut on a made-up message."""
        name, _, message = text.strip().removeprefix('"').partition('"')
        callback_id = SHORTCUT_NAMES.get(name.strip().lower())
        if callback_id is None:
            names = ", ".join(f'"{n.capitalize()}"' for n in SHORTCUT_NAMES)
            return [_reply("console", f'Usage: shortcut "<name>" <message text>; names: {names}.')]
        self._counter += 1
        body = self.requests.message_action(
            callback_id,
            {"text": message.strip(), "user": CONSOLE_USER, "ts": f"{time.time():.6f}"},
            user=USER,
            channel={"id": CONSOLE_CHANNEL},
            response_url=self.slack.response_url(f"shortcut{self._counter}"),
        )
        return await self.deliver(body, len(self.slack.calls))

    async def _press(self, block_id: str, action: dict[str, Any]) -> list[dict[str, Any]]:
        self._counter += 1
        body = self.requests.block_actions(
            {**action, "block_id": block_id},
            user=USER,
            container={"type": "message", "is_ephemeral": True, "message_ts": self._last_ts},
            channel=CHANNEL,
            response_url=self.slack.response_url(f"click{self._counter}"),
        )
        return await self.deliver(body, len(self.slack.calls))

    async def submit_view(self, view_id: str, values: dict[str, Any]) -> dict[str, Any]:
        """Submit the open modal `view_id` with `values` by block id (text, or a select's,
        date's or time's value), as Slack would;
        returns the app's acknowledgement (`response_action` and what goes with it)."""
        view = self.slack.views[view_id]
        state = {
            block["block_id"]: {
                block["element"]["action_id"]: input_state(
                    block["element"]["type"], values.get(block["block_id"])
                )
            }
            for block in view.get("blocks", [])
            if block.get("type") == "input"
        }
        return await self.dispatch(self.requests.view_submission(view, state, user=USER))

    async def press_in_view(self, view_id: str, label: str) -> dict[str, Any]:
        """Press a button inside the open modal `view_id`."""
        view = self.slack.views[view_id]
        found = _find_button(view.get("blocks", []), label)
        assert found is not None, f"no button {label!r} in the view"
        block_id, button = found
        action = {
            "type": "button",
            "block_id": block_id,
            "action_id": button["action_id"],
            "value": button.get("value", ""),
        }
        body = self.requests.block_actions(
            action, user=USER, container={"type": "view", "view_id": view_id}, view=view
        )
        return await self.dispatch(body)

    async def suggest(self, action_id: str, typed: str) -> dict[str, Any]:
        """What a typeahead (external_select `action_id`) offers for `typed`."""
        view_id = self.slack.last_view_id
        body = self.requests.block_suggestion(
            action_id,
            "customer",
            typed,
            user=USER,
            container={"type": "view", "view_id": view_id},
            view=self.slack.views.get(view_id),  # Slack sends the form it is asked from
        )
        return await self.dispatch(body)

    async def dispatch(self, body: str | dict[str, Any]) -> dict[str, Any]:
        """Deliver an interactivity body (or a payload, which is encoded as Slack would)."""
        assert self._app is not None
        if isinstance(body, dict):
            body = urlencode({"payload": json.dumps(body)})
        response = await self._app.async_dispatch(
            AsyncBoltRequest(body=body, headers=self.requests.headers(body))
        )
        await self._work.wait()
        return json.loads(response.body) if response.body else {}

    async def deliver(self, body: str, mark: int) -> list[dict[str, Any]]:
        """Deliver a signed body as Slack would; the replies it made (the ack, and Slack calls
        since call number `mark`), once its listeners are done."""
        assert self._app is not None
        response = await self._app.async_dispatch(
            AsyncBoltRequest(body=body, headers=self.requests.headers(body))
        )
        await self._work.wait()
        replies = []
        if response.status == 200 and response.body:
            ack = json.loads(response.body)
            if ack.get("text") or ack.get("blocks"):
                replies.append(
                    _reply("ack", ack.get("text", ""), ack.get("blocks"), ack.get("response_type"))
                )
        replies.extend(
            _call_reply(call) for call in self.slack.calls_since(mark) if _is_reply(call)
        )
        if not replies and response.status != 200:
            # A listener that fails after its ack still replied through the error handler above;
            # only a silent failure is worth showing as a status.
            replies.append(_reply("console", f"The app answered HTTP {response.status}."))
        for reply in replies:
            if any(b.get("type") == "actions" for b in reply["blocks"]) or any(
                True for _ in _buttons(reply["blocks"])
            ):
                self._last_blocks = reply["blocks"]
                if not reply.get("replace_original"):  # a new message; a replaced one keeps its ts
                    self._last_ts = f"{time.time():.6f}"
        return replies


def _reply(
    via: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    response_type: str | None = None,
) -> dict[str, Any]:
    return {
        "response_type": response_type or "ephemeral",
        "text": text,
        "blocks": blocks or [],
        "via": via,
    }


def _buttons(blocks: list[dict[str, Any]]) -> Iterable[tuple[str, dict[str, Any]]]:
    """Every button: in actions blocks, and beside section text (a list row's Open)."""
    for block in blocks:
        elements = block.get("elements", []) if block.get("type") == "actions" else []
        if block.get("type") == "section" and block.get("accessory"):
            elements = [block["accessory"]]
        for element in elements:
            if element.get("type") == "button":
                yield block.get("block_id", ""), element


def _find_button(blocks: list[dict[str, Any]], label: str) -> tuple[str, dict[str, Any]] | None:
    return next(
        ((bid, b) for bid, b in _buttons(blocks) if b["text"]["text"].lower() == label.lower()),
        None,
    )


def _is_reply(call: RecordedCall) -> bool:
    return call.kind == "response_url" or call.name.startswith(("chat.", "views."))


def _call_reply(call: RecordedCall) -> dict[str, Any]:
    payload = call.payload
    via = "response_url" if call.kind == "response_url" else call.name
    reply = _reply(
        via, payload.get("text", ""), payload.get("blocks"), payload.get("response_type")
    )
    if payload.get("replace_original"):
        reply["replace_original"] = True
    return reply
