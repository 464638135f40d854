"""The web sandbox's engine: Deskhand served as in HTTP mode, and a person who acts as in Slack.

Everything the page does becomes what Slack would send: a signed request posted to the app's
`/slack/events` (HTTP mode's own Starlette app, its gate and the real Bolt app, in process).
What the app sends back goes to the Slack sandbox (sandbox/slack.py), which records it, and the
workspace (sandbox/workspace.py) is kept from those records. The scheduler runs on the sandbox
clock, the world ticks, and state lives in `.deskhand/sandbox.db`, so it survives a restart.
"""

import json
import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from bot.app import build_app, build_desk, build_sandboxes, handler_config, record_links
from bot.scheduler import build_scheduler
from bot.server import build_http_app
from bot.settings import Settings
from cards import ids
from playground.console_work import ListenerWork
from playground.slack_requests import FORM, JSON, SlackRequests, as_slack_sends
from playground.web.actions import element_at, slack_action, view_state
from playground.web.jumps import jumped, next_post, why_nothing_is_due
from sandbox.clock import SandboxClock
from sandbox.slack import SANDBOX_BOT_TOKEN, SlackSandbox
from sandbox.workspace import DM, ME, URL, Workspace
from sandbox.world import World
from store import Store

logger = logging.getLogger("deskhand.web")

STATE_DIR = Path(".deskhand")
FOREVER = timedelta(days=36500)
SANDBOX_POLL = 10.0  # seconds between live-card polls, unless DESKHAND_ALERT_INTERVAL says
WORK_WAIT = 15.0  # seconds a page request waits for the listener work it started
ESCAPED_COMMANDS = {ids.DESKHAND_COMMAND}  # should_escape: true in manifest.yml


class WebSandbox:
    """The real app over the sandboxes, and what a person at the page can do to it."""

    def __init__(self, settings: Settings, *, state_dir: Path = STATE_DIR) -> None:
        self._given = settings
        self._state_dir = state_dir
        self.slack = SlackSandbox(real_time_ts=True)
        self.clock = SandboxClock()  # what the page shows messages' times by, too
        self.clock.jump(self._saved_offset())  # a restart keeps the time the sandbox was at
        self.workspace = Workspace(self.slack, clock=self.clock)  # its messages: by that time
        self._secret = secrets.token_hex(16)  # signs the page's requests; the app checks them
        self.requests = SlackRequests(self._secret)
        self.notice = ""  # the last thing the page itself says (a jump of the clock …)
        self.notice_id = 0

    async def __aenter__(self) -> "WebSandbox":
        await self.slack.start()
        self._state_dir.mkdir(parents=True, exist_ok=True)
        given = self._given
        database = given.database_url
        if "database_url" not in given.model_fields_set:
            database = f"sqlite:///{self._state_dir / 'sandbox.db'}"
        secret = self._secret
        self.settings = settings = given.model_copy(
            update={
                "admins": given.admins or ME,  # the person at the page runs it: an admin
                "database_url": database,
                # Live cards and synced threads follow the world's changes within seconds here.
                "alert_interval": given.alert_interval
                if "alert_interval" in given.model_fields_set
                else SANDBOX_POLL,
                "slack_api_url": self.slack.api_url,
                "slack_bot_token": SecretStr(SANDBOX_BOT_TOKEN),
                "slack_signing_secret": SecretStr(secret),
            }
        )
        self.config = handler_config(settings, clock=self.clock)
        self.store = Store(database, clock=self.clock)  # the audit log is on the sandbox's time
        await self.store.migrate()
        # The Slack sandbox starts with no messages: the live cards of the last run showed
        # messages no longer anywhere, so they are forgotten (not updated, and refused, later).
        await self.store.live.prune(self.clock.now() + FOREVER)
        self.sandboxes = build_sandboxes(settings, self.clock)
        self.desk = build_desk(settings, self.store, self.sandboxes)
        self.desk.start()
        bolt = build_app(settings, self.desk, store=self.store, clock=self.clock)
        self._work = ListenerWork()
        self._work.install(bolt)
        http = build_http_app(settings, self.desk, store=self.store, bolt=bolt)
        self._http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=http), base_url="http://deskhand"
        )
        self.scheduler = build_scheduler(
            settings, self.store, self.desk, self.clock, slack=bolt.client
        )
        self.scheduler.start()
        # Tickets arrive and jobs move on by the sandbox clock (at once after a jump).
        self.world = World(
            self.clock,
            self.sandboxes.readydesk,
            self.sandboxes.kickserv,
            timezone=settings.timezone,
        )
        self.world.start()
        self._unfurl_hosts = set(record_links(settings).domains())
        return self

    async def __aexit__(self, *exc: object) -> None:
        # The writes in flight finish first.
        left = await self.desk.in_flight.drain(self.settings.drain_seconds)
        if left:
            logger.warning("stopping with %d write(s) unfinished; the next start reconciles", left)
        await self.world.aclose()
        await self.scheduler.aclose()
        self._work.uninstall()
        await self._http.aclose()
        await self.desk.aclose()
        await self.store.close()
        await self.slack.stop()

    # -- what the person does ---------------------------------------------------------------------

    @property
    def user(self) -> dict[str, str]:
        """The person at the page, as Slack names them in payloads."""
        return {"id": ME, "name": self.slack.users[ME]["name"]}

    def channel(self, channel_id: str) -> dict[str, str]:
        """A channel as payloads name it."""
        known = self.workspace.channels.get(channel_id)
        name = "directmessage" if channel_id == DM else (known.name if known else channel_id)
        return {"id": channel_id, "name": name}

    async def send(self, channel: str, typed: str) -> str | None:
        """What was typed in the message box: a slash command, or a message. None once it was
        delivered, else why not (mrkdwn): the page keeps the text until it was delivered."""
        typed = typed.strip()
        if not typed:
            return "There is nothing to send."
        if not typed.startswith("/"):
            return await self._say(channel, typed)
        command, _, text = typed.partition(" ")
        command = command.lower()
        if command not in ids.SLASH_COMMANDS:
            return f"`{command}` is not a command here. Try `/deskhand help`."
        response_url = self.workspace.response_url(channel)
        text = text.strip()
        body = self.requests.command(
            command,
            as_slack_sends(text, self.slack.users) if command in ESCAPED_COMMANDS else text,
            user=self.user,
            channel=self.channel(channel),
            response_url=response_url,
        )
        status, ack = await self._post(body)
        if status != 200:
            return f"Deskhand answered HTTP {status}: the command was not taken."
        self.workspace.answer_ack(response_url, ack)
        return None

    async def _say(self, channel: str, typed: str) -> str | None:
        """A message from the person; links to records' pages are sent as `link_shared`."""
        if channel == DM:
            return "Sending messages to this app has been turned off."
        message = self.workspace.post_as(ME, channel, typed)
        links = [
            {"domain": host, "url": url}
            for url in dict.fromkeys(URL.findall(typed))
            if (host := urlsplit(url).hostname or "") in self._unfurl_hosts
        ]
        if links:
            event = {
                "type": "link_shared",
                "channel": channel,
                "user": ME,
                "message_ts": message.ts,
                "unfurl_id": f"{channel}.{message.ts}",
                "source": "conversations_history",
                "is_bot_user_member": True,
                "event_ts": message.ts,
                "links": links[:10],
            }
            await self._deliver(self.requests.event(event), JSON)
        return None

    async def press(self, where: dict[str, Any], action: dict[str, Any]) -> None:
        """A button, select, overflow or picker used on a message, a modal or the Home tab.

        `where` names the surface (`channel` and `ts`, or `view_id`) and `action` the element
        (`path` into the blocks, and `value` / `option` for what was chosen).
        """
        blocks, surface = self._surface(where)
        element, block_id = element_at(blocks, str(action.get("path", "")))
        if element is None:
            self._tell("That control is no longer there.")
            return
        chosen = slack_action(element, block_id, action)
        if "view_id" in where:
            view = {**surface, "state": {"values": view_state(surface, where.get("values"))}}
            body = self.requests.block_actions(
                chosen,
                user=self.user,
                container={"type": "view", "view_id": surface["id"]},
                view=view,
            )
        else:
            message = surface
            container = {
                "type": "message",
                "message_ts": message.ts,
                "channel_id": message.channel,
                "is_ephemeral": message.ephemeral,
            }
            shown = None
            if not message.ephemeral:  # Slack sends no message for an ephemeral one
                shown = {"type": "message", "ts": message.ts, "text": message.text}
                shown |= {"blocks": message.blocks, "user": message.user}
            body = self.requests.block_actions(
                chosen,
                user=self.user,
                container=container,
                channel=self.channel(message.channel),
                message=shown,
                response_url=self.workspace.response_url(message.channel, message.ts),
            )
        await self._deliver(body)

    async def submit(self, view_id: str, values: dict[str, Any]) -> None:
        """The modal's submit button, with what was typed and chosen (by block id)."""
        view = self.slack.views.get(view_id)
        if view is None or view_id not in self.workspace.modals:
            self._tell("That form is closed.")
            return
        state = view_state(view, values)
        body = self.requests.view_submission(view, state, user=self.user)
        # Slack applies the acknowledgement (errors, update, push) before any later views.* call.
        await self._post(
            body, on_ack=lambda ack: self.workspace.after_submission(view_id, ack, values)
        )

    async def close(self, view_id: str) -> None:
        """The modal's close button: it closes; the app hears of it if it asked."""
        view = self.slack.views.get(view_id) or {}
        self.workspace.close_top_view()
        if view.get("notify_on_close"):
            await self._deliver(self.requests.view_closed(view, user=self.user))

    async def suggest(self, where: dict[str, Any], path: str, typed: str) -> list[dict[str, Any]]:
        """What an external select offers for `typed`: the app's options listener answers."""
        blocks, surface = self._surface(where)
        element, block_id = element_at(blocks, path)
        if element is None or element.get("type") != "external_select":
            return []
        view = surface if "view_id" in where else None  # Slack sends the form it is asked from
        if view is not None:
            container: dict[str, Any] = {"type": "view", "view_id": surface["id"]}
        else:
            container = {"type": "message", "message_ts": surface.ts, "channel_id": surface.channel}
        body = self.requests.block_suggestion(
            element["action_id"], block_id, typed, user=self.user, container=container, view=view
        )
        answer = await self._deliver(body)
        options = [{**o, "group": ""} for o in answer.get("options") or []]
        for group in answer.get("option_groups") or []:
            label = (group.get("label") or {}).get("text", "")
            options += [{**o, "group": label} for o in group.get("options") or []]
        return [
            {"text": o["text"]["text"], "value": o["value"], "group": o["group"]} for o in options
        ]

    async def shortcut(self, channel: str, ts: str, callback_id: str) -> None:
        """A message shortcut chosen from a message's More actions menu."""
        message = self.workspace.messages.get((channel, ts))
        if message is None or callback_id not in ids.SHORTCUTS:
            self._tell("That message is no longer there.")
            return
        shown = {"ts": message.ts, "text": message.text, "user": message.user}
        if message.blocks:
            shown["blocks"] = message.blocks
        body = self.requests.message_action(
            callback_id,
            shown,
            user=self.user,
            channel=self.channel(channel),
            response_url=self.workspace.response_url(channel),
        )
        await self._deliver(body)

    async def open_home(self) -> None:
        """The person opened Deskhand's Home tab."""
        event: dict[str, Any] = {
            "type": ids.APP_HOME_OPENED,
            "user": ME,
            "channel": DM,
            "tab": "home",
            "event_ts": f"{datetime.now(UTC).timestamp():.6f}",
        }
        home = self.workspace.home()
        if home:
            event["view"] = {"id": home["id"], "type": "home"}
        await self._deliver(self.requests.event(event), JSON)

    async def jump_to_next_digest(self) -> None:
        """Move the sandbox clock to the next digest's time, and let the scheduler post it."""
        due = await next_post(self.store, self.clock.now())
        if due is None:
            _, channels = self.workspace.names()
            self._tell(await why_nothing_is_due(self.store, list(channels)))
            return
        self.clock.jump_to(due[0] + timedelta(seconds=1))
        self._save_offset()
        self._tell(jumped(*due))
        self.scheduler.wake()

    # -- plumbing ---------------------------------------------------------------------------------

    async def deliver_event(self, event: dict[str, Any]) -> None:
        """An Events API event, delivered to the app as Slack does."""
        await self._deliver(self.requests.event(event), JSON)

    def _surface(self, where: dict[str, Any]) -> tuple[list[dict[str, Any]], Any]:
        """The blocks the person acted on, and their message or view."""
        if "view_id" in where:
            view_id = str(where["view_id"])
            home = self.workspace.home()
            view = home if home and home["id"] == view_id else self.slack.views.get(view_id)
            return (view or {}).get("blocks", []), view or {"id": view_id}
        message = self.workspace.messages.get((str(where.get("channel")), str(where.get("ts"))))
        if message is None:
            return [], None
        return message.blocks, message

    async def _deliver(self, body: str, content_type: str = FORM) -> dict[str, Any]:
        """Post a signed request to the app as Slack does; wait for the work it started (a
        while at most); return the acknowledgement's JSON body, if it had one."""
        status, answer = await self._post(body, content_type)
        if status != 200:
            self._tell(f"Deskhand answered HTTP {status}.")
        return answer

    async def _post(
        self,
        body: str,
        content_type: str = FORM,
        on_ack: Callable[[dict[str, Any]], None] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """`_deliver`'s request: the app's HTTP status and its acknowledgement's JSON body
        (`on_ack` sees that body before the work the request started has finished)."""
        response = await self._http.post(
            "/slack/events", content=body, headers=self.requests.headers(body, content_type)
        )
        answer: dict[str, Any] = {}
        if response.status_code == 200 and response.content:
            try:
                answer = response.json()
            except ValueError:
                answer = {}
        answer = answer if isinstance(answer, dict) else {}
        if on_ack is not None:
            self.workspace.sync()  # what the listener sent before it acknowledged comes first
            on_ack(answer)
        await self._work.wait(WORK_WAIT)  # (a task to wait in would count as the request's work)
        self.workspace.sync()
        return response.status_code, answer

    def _tell(self, text: str) -> None:
        self.notice = text
        self.notice_id += 1
        self.workspace.touch()

    def _saved_offset(self) -> timedelta:
        try:
            saved = json.loads((self._state_dir / "clock.json").read_text())
            return timedelta(seconds=float(saved["offset_seconds"]))
        except (OSError, ValueError, KeyError, TypeError):
            return timedelta(0)

    def _save_offset(self) -> None:
        offset = {"offset_seconds": self.clock.offset.total_seconds()}
        (self._state_dir / "clock.json").write_text(json.dumps(offset))
