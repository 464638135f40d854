"""`/deskhand runsheet [at 07:00 weekdays | off]`: a person's own jobs today, now or by DM on a
schedule (a subscription of kind `runsheet` on the digest machinery, workers/digests.py)."""

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from cards.common import Card
from cards.config import HandlerConfig
from cards.runsheet import not_linked_text, runsheet_card
from handlers.args import UsageError, kept_reply, typed_line, usage_text, wants_help
from handlers.digest_schedule import parse_schedule
from handlers.subcommands import Subcommands
from live.profiles import Profiles
from store import Store
from store.digests import RUNSHEET, Subscription
from store.schedules import EVERY_DAY


def register(app: AsyncApp, subcommands: Subcommands) -> None:
    """Add `runsheet` to `/deskhand`."""
    subcommands.add("runsheet", runsheet)


async def runsheet(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    config: HandlerConfig,
    profiles: Profiles,
) -> None:
    """Today's run-sheet now; `at <time> [days]` by DM on a schedule; `off` stops it."""
    await ack()
    text, user = command.get("text", ""), command["user_id"]  # the text after `runsheet`
    rest = text
    try:
        if wants_help(rest):
            answer = Card(usage_text("runsheet"))
        elif rest.strip().lower() == "off":
            answer = Card(await _off(store, user))
        else:
            email = (await profiles.get(client, user)).email
            sheet = await desk.runsheet(user, email, config.now().date(), config.timezone)
            if not rest.strip():
                answer = runsheet_card(sheet, config.timezone, schedule=await _when(store, user))
            elif sheet.employee is None:
                answer = kept_reply(not_linked_text(sheet), typed_line(command))
            else:
                answer = Card(await _start(store, config, user, rest))
    except UsageError as err:
        answer = kept_reply(str(err), typed_line(command))
    await respond(response_type="ephemeral", **answer.message())


async def _start(store: Store, config: HandlerConfig, user: str, rest: str) -> str:
    schedule = parse_schedule(rest, "runsheet")
    if schedule.filters or schedule.quiet or schedule.timezone:
        raise UsageError(f"A run-sheet takes only a time and days. {usage_text('runsheet')}")
    await _stop(store, user)  # one run-sheet a person: the new time replaces the old
    sub = await store.digests.add(
        channel_id=user,
        kind=RUNSHEET,
        filters="",
        at_time=schedule.at_time,
        days=schedule.days or EVERY_DAY,
        timezone=config.timezone,
        quiet=False,
        created_by=user,
    )
    when = f"at {sub.schedule_words} ({sub.timezone})"
    await store.audit.setting(
        user_id=user, channel_id=user, action="runsheet", target="run-sheet", summary=when
    )
    return (
        f"Your run-sheet comes by direct message at {sub.schedule_words} "
        f"({sub.timezone}). `/deskhand runsheet off` stops it."
    )


async def _mine(store: Store, user: str) -> list[Subscription]:
    return [s for s in await store.digests.created_by(user) if s.kind == RUNSHEET]


async def _when(store: Store, user: str) -> str:
    """When the person's run-sheet comes by DM, in words ("" when it does not)."""
    mine = await _mine(store, user)
    return mine[0].schedule_words if mine else ""


async def _stop(store: Store, user: str) -> bool:
    """Remove the person's run-sheet schedule; whether there was one."""
    mine = await _mine(store, user)
    for sub in mine:
        await store.digests.remove(sub.id)
    return bool(mine)


async def _off(store: Store, user: str) -> str:
    """`runsheet off`: the schedule removed (and audited), in words."""
    if not await _stop(store, user):
        return "You had no run-sheet on a schedule."
    await store.audit.setting(
        user_id=user, channel_id=user, action="runsheet off", target="run-sheet"
    )
    return "Your run-sheet is off."
