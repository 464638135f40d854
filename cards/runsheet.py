"""A technician's run-sheet: today's jobs in time order, each with its time, customer, address
(a maps link), service and description, the customer's notes, and Open."""

from urllib.parse import quote_plus

from slack_sdk.models.blocks import Block, HeaderBlock, SectionBlock

from api.runsheet import RunSheet, Stop
from api.times import day_words, time_of_day
from cards import ids
from cards.common import HEADER_MAX, Card, button, context, mrkdwn_section, plain
from cards.jobs import job_words
from cards.mrkdwn import escape_mrkdwn, truncate
from cards.refs import JobRef

MAPS = "https://www.google.com/maps/search/?api=1&query="
STOPS_SHOWN = 40  # a block a stop, within Slack's 50 blocks a message
NOTE_MAX = 300
NOTHING = "Nothing scheduled today."
EMPLOYEE_LINK = f"{ids.DESKHAND_COMMAND} link @you employee:<number>"


def maps_link(address: str) -> str:
    """A Google Maps search for `address`, as a mrkdwn link showing the address."""
    return f"<{MAPS}{quote_plus(address)}|{escape_mrkdwn(address)}>"


def runsheet_card(sheet: RunSheet, timezone: str, *, schedule: str | None = None) -> Card:
    """The run-sheet as one message; how to link when Deskhand does not know the person.
    `schedule`: when it comes by DM, in words ("07:00 weekdays"), "" when it does not."""
    title = f"Your run-sheet for {day_words(sheet.day)}"
    blocks: list[Block] = [HeaderBlock(text=plain(title, HEADER_MAX))]
    if sheet.employee is None:
        blocks.append(mrkdwn_section(not_linked_text(sheet)))
        return Card(text=not_linked_text(sheet), blocks=blocks)
    if sheet.error:
        text = f"Your jobs could not be read: {escape_mrkdwn(sheet.error)}"
        blocks.append(mrkdwn_section(text))
        return Card(text=text, blocks=blocks)
    for stop in sheet.stops[:STOPS_SHOWN]:
        blocks.extend(_stop_blocks(stop, timezone))
    if len(sheet.stops) > STOPS_SHOWN:
        blocks.append(context(f"… and {len(sheet.stops) - STOPS_SHOWN} more jobs today."))
    if not sheet.stops:
        blocks.append(mrkdwn_section(NOTHING))
    if sheet.unread:
        blocks.append(context(escape_mrkdwn(sheet.unread)))
    who = escape_mrkdwn(sheet.employee.name)
    blocks.append(context(f"Kickserv employee {who} · times in {escape_mrkdwn(timezone)}"))
    if schedule is not None:
        blocks.append(context(schedule_line(schedule)))
    count = len(sheet.stops)
    summary = f"{count} job{'s' if count != 1 else ''} today" if count else NOTHING
    return Card(text=f"{title}: {summary}", blocks=blocks)


def schedule_line(schedule: str) -> str:
    """How a person's run-sheet comes by DM (`schedule`: "07:00 weekdays"), or how to have it
    come ("" : it does not), as the run-sheet card and Home say it."""
    if schedule:
        return (
            f"Comes by direct message at {escape_mrkdwn(schedule)}; "
            f"`{ids.DESKHAND_COMMAND} runsheet off` stops it."
        )
    return f"`{ids.DESKHAND_COMMAND} runsheet at 07:00 weekdays` sends it by direct message."


def not_linked_text(sheet: RunSheet) -> str:
    """Why there is no run-sheet, and how to be linked (mrkdwn)."""
    if sheet.how.way == "unknown":
        return f"Kickserv's employees could not be read: {escape_mrkdwn(sheet.error)}"
    return (
        "*Deskhand does not know which Kickserv employee you are*, so it cannot find your "
        "jobs. It uses an admin's link, else the employee whose email is the one on your Slack "
        f"profile: ask an admin to run `{escape_mrkdwn(EMPLOYEE_LINK)}` (`/deskhand whoami` shows "
        "who you are)."
    )


def _stop_blocks(stop: Stop, timezone: str) -> list[Block]:
    job = stop.job
    customer = escape_mrkdwn(truncate(stop.customer, 100))
    lines = [
        f"*{time_of_day(stop.starts_at, timezone)}* · *{customer}* · job {job.job_number}",
        maps_link(stop.address) if stop.address else "_No service address in Kickserv_",
        escape_mrkdwn(job_words(stop.service, job.description, 300)),
    ]
    lines += [f"> {escape_mrkdwn(truncate(' '.join(n.split()), NOTE_MAX))}" for n in stop.notes]
    section = SectionBlock(
        text=truncate("\n".join(lines), 2900),
        accessory=button("Open", ids.RUNSHEET_OPEN, JobRef(job_number=job.job_number)),
    )
    return [section]
