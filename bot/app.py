"""Building the Bolt app and the API layer from settings. There is no module-level app."""

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import httpx
from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.directory import CustomerDirectory
from api.errors import BackendError
from api.http import RetryPolicy, secrets_of, set_read_deadline
from api.kickserv import KickservClient
from api.links import RecordLinks
from api.readydesk import ReadyDeskClient
from api.readydesk.wire import WireNames
from api.writes import WriteSettings
from bot.acks import KeptAck, ListenerSlots, RespondOutsideSlot
from bot.error_replies import damaged_state, slack_failure, tell_person
from bot.logs import request_id
from bot.metrics import MeasuredApp
from bot.outbound import ScrubbingWebClient
from bot.settings import Settings
from cards.config import HandlerConfig, Reactions, utc_now
from handlers.middleware import WritePermission
from handlers.registry import register_all
from handlers.subcommands import Subcommands
from live.delivery import Delivery
from live.profiles import Profiles
from store import Store

if TYPE_CHECKING:
    from sandbox.data import SandboxData
    from sandbox.kickserv_data import KickservData

logger = logging.getLogger("deskhand.app")

SANDBOX_READYDESK_URL = "http://readydesk.sandbox/readydesk/API/default.aspx"
SANDBOX_KICKSERV_URL = "http://kickserv.sandbox"


@dataclass(frozen=True)
class Sandboxes:
    """The fakes' worlds, for each backend that runs against its sandbox (None: the real one)."""

    readydesk: "SandboxData | None" = None
    kickserv: "KickservData | None" = None
    # The fake APIs over them, by backend name ("readydesk", "kickserv"): the ASGI apps the
    # clients talk to, whose `state.data` is the world above and `state.faults` its fault switches.
    fakes: dict[str, Any] = field(default_factory=dict)


def build_sandboxes(settings: Settings, clock: Callable[[], datetime] = utc_now) -> Sandboxes:
    """The sandboxes' worlds, dated around the business's today by `clock`, which their writes
    read too (one help desk both describe, so their customers match)."""
    if not (settings.readydesk_is_sandbox or settings.kickserv_is_sandbox):
        return Sandboxes()
    from sandbox.kickserv import build_kickserv_app
    from sandbox.readydesk import build_readydesk_app
    from sandbox.worlds import seeded_worlds

    today = clock().astimezone(ZoneInfo(settings.timezone)).date()
    readydesk, kickserv_world = seeded_worlds(today, settings.timezone)
    readydesk.clock = clock
    kickserv, fakes = None, {}
    if settings.kickserv_is_sandbox:
        kickserv = kickserv_world
        kickserv.clock = clock
        fakes["kickserv"] = build_kickserv_app(kickserv)
    if not settings.readydesk_is_sandbox:
        return Sandboxes(None, kickserv, fakes)
    fakes["readydesk"] = build_readydesk_app(readydesk, names=settings.readydesk_wire_names())
    return Sandboxes(readydesk, kickserv, fakes)


def build_desk(settings: Settings, store: Store, sandboxes: Sandboxes | None = None) -> Desk:
    """The API layer, whole: real backends where configured, the sandbox fakes elsewhere (over
    `sandboxes`, built here when not given), and the customer directory on `store` (whose fill
    the process starts: `Desk.start`)."""
    sandboxes = sandboxes or build_sandboxes(settings)
    readydesk = _readydesk(settings, sandboxes.fakes.get("readydesk"))
    kickserv = _kickserv(settings, sandboxes.fakes.get("kickserv"))
    directory = CustomerDirectory(
        store.directory, readydesk, kickserv, refresh_every=settings.directory_refresh
    )
    writes = WriteSettings(
        lease=timedelta(seconds=settings.claim_lease),
        read_back_seconds=settings.read_deadline,
        apply_window=timedelta(seconds=settings.apply_window),
    )
    return Desk(readydesk, kickserv, directory, store, writes)


def build_sandbox_desk(
    store: Store, readydesk_fake: Any, kickserv_fake: Any, retry: RetryPolicy | None = None
) -> Desk:
    """A Desk over two in-process fakes (ASGI apps: a test's or a benchmark's own worlds), its
    reads retried by `retry` (the default settings' unless given), its directory on `store`,
    not filled yet."""
    readydesk = _sandbox_readydesk(readydesk_fake, retry=retry)
    kickserv = _sandbox_kickserv(kickserv_fake, retry)
    return Desk(readydesk, kickserv, CustomerDirectory(store.directory, readydesk, kickserv), store)


def _sandbox_kickserv(app: Any, retry: RetryPolicy | None = None) -> KickservClient:
    from sandbox.kickserv import SANDBOX_ACCOUNT, SANDBOX_API_KEY

    transport = httpx.ASGITransport(app=app)
    return KickservClient(
        SANDBOX_KICKSERV_URL, SANDBOX_ACCOUNT, SANDBOX_API_KEY, transport=transport, retry=retry
    )


def _sandbox_readydesk(
    app: Any, names: WireNames | None = None, retry: RetryPolicy | None = None
) -> ReadyDeskClient:
    from sandbox.readydesk import SANDBOX_KEY

    transport = httpx.ASGITransport(app=app)
    return ReadyDeskClient(
        SANDBOX_READYDESK_URL, SANDBOX_KEY, transport=transport, names=names, retry=retry
    )


def _kickserv(settings: Settings, fake: Any) -> KickservClient:
    if settings.kickserv_is_sandbox:
        from sandbox.kickserv import build_kickserv_app

        return _sandbox_kickserv(
            fake if fake is not None else build_kickserv_app(), _retry(settings)
        )
    assert settings.kickserv_account and settings.kickserv_api_key
    return KickservClient(
        settings.kickserv_url,
        settings.kickserv_account,
        settings.kickserv_api_key.get_secret_value(),
        connections=settings.backend_connections,
        retry=_retry(settings),
    )


def _readydesk(settings: Settings, fake: Any) -> ReadyDeskClient:
    if settings.readydesk_is_sandbox:
        from sandbox.readydesk import build_readydesk_app

        names = settings.readydesk_wire_names()
        return _sandbox_readydesk(
            fake if fake is not None else build_readydesk_app(names=names), names, _retry(settings)
        )
    key = settings.readydesk_key.get_secret_value() if settings.readydesk_key else ""
    return ReadyDeskClient(
        str(settings.readydesk_url),
        key,
        format_param=settings.readydesk_format_param,
        format_value=settings.readydesk_format_value,
        max_url_length=settings.readydesk_max_url_length,
        names=settings.readydesk_wire_names(),
        connections=settings.backend_connections,
        retry=_retry(settings),
    )


def _retry(settings: Settings) -> RetryPolicy:
    return RetryPolicy(base_delay=settings.retry_delay)


def build_web_client(settings: Settings, delivery: Delivery | None = None) -> ScrubbingWebClient:
    """Slack's Web API client, delivering by Slack's rules (live/delivery.py: Retry-After
    honoured, posts paced per channel, a slot post looked for before it is sent again).

    slack-sdk's retry handlers are not used: their sleeps cannot be injected, and they cannot
    tell a post that may have landed (resent, it would show twice) from a state that is set.

    The client holds every configured secret (enrolled for redaction while it lives), so
    whatever it (or respond, or an ack) sends to Slack is scrubbed of them even when logging
    was never configured.
    """
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return ScrubbingWebClient(
        token=token,
        base_url=settings.slack_api_url,
        retry_handlers=[],
        delivery=delivery or Delivery(gap=settings.slack_post_gap),
        secrets=secrets_of(settings.secrets()),
    )


def build_app(
    settings: Settings,
    desk: Desk | None = None,
    *,
    store: Store | None = None,
    clock: Callable[[], datetime] | None = None,
) -> AsyncApp:
    """The Bolt app with every listener registered and the desk injected into each request
    (`clock`: what listeners read the time from, the wall clock unless given).

    Bolt verifies each HTTP request's signature (missing, wrong or older than 5 minutes: 401,
    and no listener runs). Events API retries of an event already handled are skipped.
    """
    store = store or (desk.store if desk else Store(settings.database_url))
    desk = desk or build_desk(settings, store)
    secret = settings.slack_signing_secret
    app = MeasuredApp(
        client=build_web_client(settings),
        signing_secret=secret.get_secret_value() if secret else None,
    )

    config = handler_config(settings, clock=clock)
    profiles = Profiles()
    permission = WritePermission()
    slots = ListenerSlots(
        settings.max_listeners, on_start=lambda: set_read_deadline(settings.read_deadline)
    )

    # Class middleware: Bolt calls them as they are, where a function middleware has its
    # arguments worked out by name on every request.
    app.use(
        LabelRequest(
            settings.read_deadline,
            slots,
            dict(desk=desk, store=store, config=config, profiles=profiles, permission=permission),
        )
    )
    app.use(SkipRepeatedEvents(store, config.reactions))

    app.error(handle_error)
    register_all(app, Subcommands())  # this app's `/deskhand <word>` table
    return app


class LabelRequest(AsyncMiddleware):
    """Give the request an id for every log line it causes; inject what listeners use.

    Reads made for this request share one deadline, retries included, so a person waiting in
    Slack hears back in time even from a slow backend.
    """

    def __init__(self, read_deadline: float, slots: ListenerSlots, shared: dict[str, Any]) -> None:
        self.read_deadline, self.slots, self.shared = read_deadline, slots, shared

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[Any]]
    ) -> BoltResponse | None:
        """Label, inject, go on."""
        context = req.context
        # Not reset afterwards: Bolt runs the listener after this middleware has returned.
        request_id.set(_request_id(req.body))
        set_read_deadline(self.read_deadline)
        context.update(self.shared)
        # A listener that fails after acking must not lose its ack; one that acked waits for a
        # slot before its work (this task, which answers Slack, never waits).
        context["ack"] = KeptAck(self.slots, dispatcher=asyncio.current_task())
        if context.get("respond") is not None:
            context["respond"] = RespondOutsideSlot(context["respond"], self.slots)
        return await next()


class SkipRepeatedEvents(AsyncMiddleware):
    """Slack redelivers events it thinks failed; run each `event_id` at most once. A channel
    message outside any thread, and a reaction with an emoji Deskhand does not act on, are not
    claimed: Deskhand does nothing with them, and every message or reaction in every channel
    would be a row (a thread reply's note is claimed by the reply itself)."""

    def __init__(self, store: Store, reactions: Reactions) -> None:
        self.store = store
        self.reactions = reactions

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[Any]]
    ) -> BoltResponse | None:
        """Stop a repeated event here; anything else goes on."""
        body = req.body
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        event = body.get("event")
        if event_id and (_outside_threads(event) or self._inert_reaction(event)):
            return await next()
        if event_id and not await self.store.claim_event(str(event_id)):
            logger.info("event %s was already handled; skipping Slack's retry", event_id)
            return BoltResponse(status=200, body="")
        return await next()

    def _inert_reaction(self, event: Any) -> bool:
        """A reaction_added whose emoji is none of the ones that act."""
        if not isinstance(event, dict) or event.get("type") != "reaction_added":
            return False
        emoji = event.get("reaction")
        return isinstance(emoji, str) and self.reactions.act(emoji) is None


def _outside_threads(event: Any) -> bool:
    """A message event about no thread reply (as sent, edited or deleted)."""
    if not isinstance(event, dict) or event.get("type") != "message":
        return False
    said = [event, event.get("message"), event.get("previous_message")]
    return not any(isinstance(m, dict) and m.get("thread_ts") for m in said)


def handler_config(
    settings: Settings, *, clock: Callable[[], datetime] | None = None
) -> HandlerConfig:
    """What the Slack side needs of the settings (`clock`: the wall clock unless given)."""
    return HandlerConfig(
        clock=clock or utc_now,
        timezone=settings.timezone,
        readydesk_web_url=settings.readydesk_web_url,
        priorities=settings.priorities,
        looking_up_after=settings.looking_up_after,
        admins=settings.admin_ids,
        writers=settings.writer_ids,
        write_channels=settings.write_channel_ids,
        alert_burst=settings.alert_burst,
        live_card_days=settings.live_card_days,
        callback_days=settings.callback_days,
        links=record_links(settings),
        unfurl_channels=settings.unfurl_channel_ids,
        dispatch_channel=settings.dispatch_channel.strip(),
        change_quiet=settings.change_quiet,
        reaction_synced=settings.reaction_synced,
        reactions=Reactions(
            settings.reaction_ticket, settings.reaction_assign, settings.reaction_close
        ),
        unattended_steps=settings.workflow_writes == "unattended",
    )


def record_links(settings: Settings) -> RecordLinks:
    """The backends' web pages as configured (the sandbox's Kickserv account when it answers)."""
    account = None
    if settings.kickserv_is_sandbox:
        from sandbox.kickserv import SANDBOX_ACCOUNT

        account = SANDBOX_ACCOUNT
    return RecordLinks(settings.readydesk_web_url, settings.kickserv_pages(account))


def _request_id(body: dict[str, Any]) -> str:
    """Slack's own id for the request where it has one, so logs can be matched to Slack's."""
    for key in ("event_id", "trigger_id"):
        if body.get(key):
            return str(body[key])[:32]
    return secrets.token_hex(6)


async def handle_error(
    error: Exception,
    body: dict[str, Any],
    respond: Any,
    client: AsyncWebClient,
    context: dict[str, Any],
    response: BoltResponse | None,
    logger: logging.Logger,
) -> BoltResponse | None:
    """Backend errors become their short message, unreadable form state a clear one, anything
    else a reference the log explains; each reaches the person where they are looking.

    Bolt passes `response` only while the request is not yet acknowledged; the handler's answer
    is then the acknowledgement. A request that did not get past Bolt's signature check and
    authorization (no `authorize_result`) is only logged: its body is the sender's, not Slack's.
    """
    damaged = damaged_state(error, body) if isinstance(body, dict) else None
    if isinstance(error, BackendError):
        logger.info("%s error in %s: %s", error.backend, error.action, error.message)
        text = error.message
    elif damaged is not None:
        logger.warning("unreadable state from Slack (%s): %s", type(error).__name__, damaged)
        text = damaged
    elif (failing := slack_failure(error)) is not None:
        logger.warning("Slack kept failing: %s", error.args[0] if error.args else error)
        text = failing
    else:
        reference = secrets.token_hex(3).upper()
        logger.exception("unhandled error ref=%s", reference, exc_info=error)
        text = f"Something went wrong on Deskhand's side (ref {reference}). Please try again."
    if not isinstance(body, dict) or context.get("authorize_result") is None:
        return None
    return await tell_person(text, body, respond, client, acked=response is None)
