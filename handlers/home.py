"""The Home tab: published when a person opens it (at most once a minute each) or presses
Refresh. Every Home button answers on Home, in a modal opened with its trigger (a Home tab has
no response_url and no channel): the ticket and job forms, the Find customer form, and the
cards that Open and Find show (whose own buttons then answer in the modal)."""

import asyncio
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.errors import BackendError
from api.refs import JobRef, TicketRef
from cards import ids
from cards.common import Card
from cards.config import HandlerConfig
from cards.customers import nothing_found, search_card
from cards.home import FIND_BLOCK, FIND_INPUT, build_home, find_customer_modal
from cards.job_form import JobForm
from cards.mrkdwn import escape_mrkdwn
from cards.refs import parse_ref
from cards.ticket_form import TicketForm
from cards.views import card_for, card_modal, looking_up_modal
from handlers.card_modal import AnswerInCardModal
from handlers.event_fields import EventFields, read_event
from handlers.forms import ACK_BUDGET, open_job_form, open_ticket_form
from live.profiles import Profiles
from store import Store

REOPEN_EVERY = timedelta(minutes=1)  # opening the tab again re-reads at most this often


def register(app: AsyncApp) -> None:
    """Attach the Home tab's event, its buttons and the Find customer form."""
    app.use(AnswerInCardModal())
    app.event(ids.APP_HOME_OPENED)(home_opened)
    app.action(ids.HOME_REFRESH)(refresh_home)
    app.action(ids.HOME_OPEN)(open_card)
    app.action(ids.HOME_NEW_TICKET)(new_ticket)
    app.action(ids.HOME_NEW_JOB)(new_job)
    app.action(ids.HOME_FIND_CUSTOMER)(find_customer)
    app.view(ids.FIND_CUSTOMER_MODAL)(found_customer)
    # A card modal opened from Home closing: what was done in it (Started, Close) shows.
    app.view_closed(ids.CARD_MODAL)(refresh_home)


class HomeOpened(EventFields):
    """The app_home_opened fields Deskhand reads, typed as Slack sends them."""

    user: str
    tab: str = ""
    view: dict[str, Any] | None = None  # the tab as last published; absent the first time


async def home_opened(
    ack: AsyncAck,
    event: dict[str, Any],
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    profiles: Profiles,
    config: HandlerConfig,
) -> None:
    """The Home tab was opened: publish it unless it was published in the last minute (a tab
    in which Slack has nothing to show yet is always published)."""
    await ack()
    opened = read_event(HomeOpened, event)
    if opened is None or opened.tab != "home":
        return
    force = not opened.view
    await publish_home(opened.user, client, desk, store, profiles, config, force=force)


async def refresh_home(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    profiles: Profiles,
    config: HandlerConfig,
) -> None:
    """Refresh, or a card modal over Home closed: read and publish the Home tab now."""
    await ack()
    await publish_home(body["user"]["id"], client, desk, store, profiles, config, force=True)


async def publish_home(
    user_id: str,
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    profiles: Profiles,
    config: HandlerConfig,
    *,
    force: bool,
) -> None:
    """Claim the person's publish (Refresh always may), read their Home, publish it; a read or
    publish that fails gives the claim back, so opening the tab again tries again."""
    claimed_at = config.instant()
    every = timedelta(0) if force else REOPEN_EVERY
    if not await store.homes.claim(user_id, claimed_at, every):
        return
    try:
        profile = await profiles.get(client, user_id)
        now = config.now()
        home = await desk.home(user_id, profile.email, now.date(), config.timezone)
        view = build_home(home, timezone=config.timezone, admins=config.admins, now=now)
        await client.views_publish(user_id=user_id, view=view)
    except Exception:
        await store.homes.release(user_id, claimed_at)
        raise


async def open_card(
    ack: AsyncAck,
    action: dict[str, Any],
    body: dict[str, Any],
    client: AsyncWebClient,
    desk: Desk,
    config: HandlerConfig,
) -> None:
    """Open: the ticket's or job's card, read now, in a modal over Home (opened at once, while
    the trigger lasts; the card replaces "Looking up" when it is read)."""
    await ack()
    ref = parse_ref(action["value"])
    title = f"Ticket #{ref.ticket_id}" if isinstance(ref, TicketRef) else "Deskhand"
    title = f"Job {ref.job_number}" if isinstance(ref, JobRef) else title
    looking = looking_up_modal(title.lower(), title)
    opened = await client.views_open(trigger_id=body["trigger_id"], view=looking)

    async def read() -> Card:
        return card_for(
            await desk.read(ref, config.now(), config.callbacks), config, shareable=False
        )

    await _show_card(client, opened["view"]["id"], title, read())


async def new_ticket(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, desk: Desk, config: HandlerConfig
) -> None:
    """New ticket: the form `/ticket new` opens."""
    await ack()
    await open_ticket_form(client, body["trigger_id"], TicketForm(), desk, config)


async def new_job(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, desk: Desk) -> None:
    """New job: the form `/job new` opens."""
    await ack()
    await open_job_form(client, body["trigger_id"], JobForm(), desk)


async def find_customer(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
    """Find customer: a one-line form."""
    await ack()
    await client.views_open(trigger_id=body["trigger_id"], view=find_customer_modal())


async def found_customer(
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    desk: Desk,
    config: HandlerConfig,
) -> None:
    """The form's words, answered as `/customer` answers them, in the form's place."""
    values = (view.get("state") or {}).get("values") or {}
    words = ((values.get(FIND_BLOCK) or {}).get(FIND_INPUT) or {}).get("value") or ""
    if not words.strip():
        await ack(response_action="errors", errors={FIND_BLOCK: "Type a name, email, phone or ID."})
        return
    title, search = "Find customer", asyncio.ensure_future(desk.find_customer(words.strip()))
    done, _ = await asyncio.wait({search}, timeout=ACK_BUDGET)
    if done and not search.exception() and (none := nothing_found(search.result())):
        await ack(response_action="errors", errors={FIND_BLOCK: none})  # the words kept to change
        return

    async def find() -> Card:
        return search_card(await search, config)

    answer = asyncio.ensure_future(_modal_of(title, find()))
    if done:  # in the submit's own reply: a views.update sent now could land before it
        await ack(response_action="update", view=await answer)
        return
    await ack(response_action="update", view=looking_up_modal(words.strip(), title))
    await client.views_update(view_id=view["id"], view=await answer)


async def _show_card(
    client: AsyncWebClient, view_id: str, title: str, lookup: Coroutine[Any, Any, Card]
) -> None:
    """The card `lookup` reads, in the open modal `view_id` ("Looking up" until then)."""
    await client.views_update(view_id=view_id, view=await _modal_of(title, lookup))


async def _modal_of(title: str, lookup: Coroutine[Any, Any, Card]) -> View:
    """The card `lookup` reads, as a modal; a backend that fails says so there, where the
    answer would have been."""
    try:
        card = await lookup
    except BackendError as err:
        return card_modal(escape_mrkdwn(err.message), [], title)
    return card_modal(card.text, card.blocks, title)
