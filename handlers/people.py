"""Who is who: `/deskhand whoami` and, for admins, `/deskhand link @user tech:… employee:…`."""

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from api.desk import Desk
from api.identity import Identity, Match
from api.times import local, short_day
from cards import ids
from cards.config import HandlerConfig
from cards.mrkdwn import escape_mrkdwn, truncate
from handlers.args import UsageError, did_you_mean, kept_reply, typed_line, unescape
from handlers.subcommands import Subcommands
from live.profiles import Profiles
from store import Store
from store.links import KEEP

LINK_USAGE = f"Usage: `{ids.DESKHAND_COMMAND} link @user tech:<technician ID> employee:<number>`"
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
CLEAR = ("none", "-")


def register(app: AsyncApp, subcommands: Subcommands) -> None:
    """Add `whoami` and (for admins) `link` to `/deskhand`; `link` keeps the @mention."""
    subcommands.add("whoami", whoami, bare="whoami")
    subcommands.add("link", link_user, admin=True, keeps_escapes=True)


async def whoami(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    profiles: Profiles,
    config: HandlerConfig,
) -> None:
    """Your technician and employee, and how each was found."""
    await ack()
    profile = await profiles.get(client, command["user_id"])
    me = await desk.identify(command["user_id"], profile.email)
    said = describe_identity(me, you=True, timezone=config.timezone)
    await respond(response_type="ephemeral", text=said)


async def link_user(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    desk: Desk,
    store: Store,
    profiles: Profiles,
    config: HandlerConfig,
) -> None:
    """Admins: set which technician and employee a Slack user is (`none` clears a part)."""
    await ack()
    try:
        user_id, technician, employee = await _parse_link(command.get("text", ""), desk)
    except UsageError as err:
        said = kept_reply(str(err), typed_line(command))
        await respond(response_type="ephemeral", **said.message())
        return
    await store.links.set(
        user_id,
        set_by=command["user_id"],
        technician=technician,
        employee_number=employee,
    )
    # Who a person writes as is decided here: the audit log keeps every change of it.
    parts = {"tech": technician, "employee": employee}
    said = " ".join(f"{k}:{'none' if v is None else v}" for k, v in parts.items() if v is not KEEP)
    await store.audit.record(
        user_id=command["user_id"],
        channel_id=command.get("channel_id", ""),
        action="link",
        target=f"user {user_id}",
        summary=said,
        outcome="written",
    )
    who = await desk.identify(user_id, (await profiles.get(client, user_id)).email)
    said = describe_identity(who, you=False, timezone=config.timezone)
    await respond(response_type="ephemeral", text="Saved. " + said)


def describe_identity(identity: Identity, *, you: bool, timezone: str) -> str:
    """Two lines: the technician and the employee, each with how it was found (a link's day
    in the business's `timezone`)."""
    name = "You are" if you else f"<@{identity.user_id}> is"
    tech = (
        f"ReadyDesk technician `{escape_mrkdwn(identity.technician)}`"
        if identity.technician
        else "no ReadyDesk technician"
    )
    employee = identity.employee
    worker = (
        f"Kickserv employee {escape_mrkdwn(employee.name)} (#{employee.employee_number})"
        if employee
        else "no Kickserv employee"
    )
    lines = [
        f"{name} {tech} — {how_found(identity.technician_how, timezone)}.",
        f"{name} {worker} — {how_found(identity.employee_how, timezone)}.",
    ]
    if employee is None and identity.employee_how.way == "unknown":  # not "no employee"
        whose = "Your" if you else f"<@{identity.user_id}>'s"
        why = escape_mrkdwn(identity.employee_how.error)
        lines[1] = f"{whose} Kickserv employee could not be looked up: {why}"
    if not (identity.technician and employee):
        lines.append(
            f"An admin can link the rest: `{ids.DESKHAND_COMMAND} link @user tech:… employee:…`."
        )
    return "\n".join(lines)


def how_found(match: Match, timezone: str) -> str:
    """How a technician or employee was found, as a phrase (mrkdwn)."""
    if match.way == "linked" and match.link is not None:
        day = local(match.link.set_at, timezone)
        return f"linked by <@{match.link.set_by}> on {short_day(day)}, {day.year}"
    if match.way == "email":
        return f"matched by email ({escape_mrkdwn(match.email)})"
    if match.way == "unknown":
        return f"unknown: {escape_mrkdwn(match.error)}"
    return "not linked"


async def _parse_link(text: str, desk: Desk) -> tuple[str, Any, Any]:
    mentions = _MENTION.findall(text)
    if not mentions:
        raise UsageError(f"Whom should I link? {LINK_USAGE}, with an @mention.")
    if len(set(mentions)) > 1:  # one person's technician or employee at a time
        raise UsageError(f"Link one person at a time: {LINK_USAGE}.")
    technician: Any = KEEP
    employee: Any = KEEP
    for token in _MENTION.sub(" ", text).split():
        key, _, value = token.partition(":")
        if key == "tech" and value:
            technician = None if value.lower() in CLEAR else await _technician(desk, value)
        elif key == "employee" and value:
            employee = None if value.lower() in CLEAR else await _employee(desk, value)
        else:
            raise UsageError(
                f"`{escape_mrkdwn(truncate(unescape(token), 40))}` is not understood. {LINK_USAGE}."
            )
    if technician is KEEP and employee is KEEP:
        raise UsageError(f"Say what to link. {LINK_USAGE}.")
    return mentions[0], technician, employee


async def _technician(desk: Desk, typed: str) -> str:
    uids = [t.uid for t in await desk.technicians()]
    for uid in uids:
        if uid.lower() == typed.lower():
            return uid
    problem = f"ReadyDesk has no technician `{escape_mrkdwn(truncate(typed, 40))}`."
    raise UsageError(did_you_mean(problem, typed, uids, "Technicians"))


async def _employee(desk: Desk, typed: str) -> int:
    employees = await desk.employees()
    numbers = {str(e.employee_number): e for e in employees if e.employee_number is not None}
    if typed.lstrip("#") in numbers:
        return int(typed.lstrip("#"))
    listed = [f"{n} ({e.name})" for n, e in numbers.items()]
    problem = f"Kickserv has no employee number `{escape_mrkdwn(truncate(typed, 40))}`."
    raise UsageError(did_you_mean(problem, typed, listed, "Employees"))
