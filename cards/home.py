"""The Home tab: a person's unresolved tickets, their jobs today and tomorrow, what they set up, and
the actions they start from; and the small Find customer form it opens."""

from collections.abc import Iterable
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from api.home import HomeJob, HomeView, JobPart, Standing, TicketPart
from api.identity import Match
from api.readydesk import Ticket
from api.times import day_words, time_of_day, when
from cards import ids
from cards.common import (
    HEADER_MAX,
    SLACK_USER_ID,
    age,
    button,
    button_raw,
    context,
    mrkdwn_section,
    plain,
)
from cards.customers import owed_words
from cards.jobs import job_words
from cards.live import job_status
from cards.mrkdwn import escape_mrkdwn, truncate
from cards.refs import JobRef, TicketRef
from cards.runsheet import schedule_line
from cards.tickets import describe, row_customer
from cards.watches import watch_line

HOME_BLOCKS_MAX = 100
JOBS_SHOWN = 10  # per day
DESCRIPTION_MAX = 150
SUBJECT_MAX = 120
FIND_BLOCK, FIND_INPUT = "find_customer", "words"
LINK_ARGUMENTS = "tech:<technician ID> employee:<number>"


def build_home(home: HomeView, *, timezone: str, admins: Iterable[str], now: datetime) -> View:
    """The Home tab (`now`: the business's wall clock, naive, as ReadyDesk's dates are)."""
    blocks: list[Block] = [
        HeaderBlock(text=plain("Your desk", HEADER_MAX)),
        context(f"Updated {when(now)} ({escape_mrkdwn(timezone)})", *_who(home)),
        ActionsBlock(
            block_id="home_actions",
            elements=[
                button_raw("Refresh", ids.HOME_REFRESH, "refresh"),
                button_raw("New ticket", ids.HOME_NEW_TICKET, "ticket"),
                button_raw("New job", ids.HOME_NEW_JOB, "job"),
                button_raw("Find customer", ids.HOME_FIND_CUSTOMER, "customer"),
            ],
        ),
    ]
    if _unlinked(home.tickets.how) or _unlinked(home.jobs.how):
        blocks.append(_how_to_link(home, admins))
    blocks += [DividerBlock(), *_tickets(home.tickets, now)]
    blocks += [DividerBlock(), *_jobs(home.jobs, timezone)]
    blocks += [DividerBlock(), *_standing(home)]
    return View(type="home", blocks=blocks[:HOME_BLOCKS_MAX])


def find_customer_modal() -> View:
    """Find customer: words as `/customer` takes them; the answer replaces the form."""
    words = PlainTextInputElement(
        action_id=FIND_INPUT,
        placeholder="acme, 555-0142, office@weaselworks.example",
        max_length=200,
    )
    return View(
        type="modal",
        callback_id=ids.FIND_CUSTOMER_MODAL,
        title="Find customer",
        submit="Find",
        close="Cancel",
        blocks=[
            InputBlock(block_id=FIND_BLOCK, label="Name, email, phone or ID", element=words),
            context("Searches ReadyDesk and Kickserv; the answer shows here."),
        ],
    )


def _who(home: HomeView) -> list[str]:
    parts = []
    if home.tickets.technician:
        tech = escape_mrkdwn(home.tickets.technician)
        parts.append(f"ReadyDesk technician `{tech}` ({_found(home.tickets.how)})")
    if home.jobs.employee:
        name = escape_mrkdwn(home.jobs.employee.name)
        parts.append(f"Kickserv employee {name} ({_found(home.jobs.how)})")
    return parts


def _found(match: Match) -> str:
    if match.way == "linked" and match.link is not None:
        return f"linked by <@{match.link.set_by}>"
    return "matched by email" if match.way == "email" else "not linked"


def _unlinked(match: Match) -> bool:
    return match.way == "none"


def _how_to_link(home: HomeView, admins: Iterable[str]) -> SectionBlock:
    """How Deskhand finds a person, and whom to ask when it cannot."""
    missing = [
        name
        for name, match in (
            ("ReadyDesk technician", home.tickets.how),
            ("Kickserv employee", home.jobs.how),
        )
        if _unlinked(match)
    ]
    email = f"`{escape_mrkdwn(home.email)}`" if home.email else "none that Deskhand can see"
    admins = set(admins)
    listed = {a for a in admins if SLACK_USER_ID.fullmatch(a)}
    others = [f"<@{a}>" for a in sorted(listed - {home.user_id})]  # nobody is told to ask themself
    link = f"{ids.DESKHAND_COMMAND} link @you {LINK_ARGUMENTS}"
    if home.user_id in admins:
        also = f", or ask {', '.join(others)}" if others else ""
        how = f"run `{escape_mrkdwn(link)}` yourself (you are an admin), @you being you{also}"
    else:
        ask = (
            f"ask {', '.join(others)}"
            if others
            else "ask whoever runs Deskhand (`DESKHAND_ADMINS`)"
        )
        how = f"{ask} to run `{escape_mrkdwn(link)}`"
    return mrkdwn_section(
        f"*Deskhand does not know your {' or your '.join(missing)}.* It uses an admin's link, "
        f"else the {' or '.join(missing)} whose email is the one on your Slack profile "
        f"({email}). To be linked, {how}."
    )


TICKETS_TITLE = "Your unresolved tickets"
TICKETS_QUERY = "`/tickets status:unresolved tech:me`"  # lists what the count counts


def _tickets(part: TicketPart, now: datetime) -> list[Block]:
    if part.technician is None:
        if part.how.way == "unknown":
            return [_title(TICKETS_TITLE), _could_not("ReadyDesk", part.error)]
        return [_title(TICKETS_TITLE), context("No ReadyDesk technician is linked to you.")]
    if part.error:
        return [_title(TICKETS_TITLE), _could_not("ReadyDesk", part.error)]
    if not part.total:
        none = "_No unresolved tickets assigned to you._"
        return [_title(TICKETS_TITLE), mrkdwn_section(none)]
    counts = " · ".join(f"{escape_mrkdwn(s)} {n:,}" for s, n in part.counts.items())
    heading = f"*{TICKETS_TITLE}: {part.total:,}* · {TICKETS_QUERY}\n{counts}"
    rows: list[Block] = [mrkdwn_section(heading)]
    if part.oldest:
        rows.append(context("The oldest:"))
    return rows + [_ticket_row(t, now) for t in part.oldest]


def _ticket_row(ticket: Ticket, now: datetime) -> SectionBlock:
    subject = truncate(ticket.subject or "(no subject)", SUBJECT_MAX)
    facts = [ticket.status or "—", ticket.priority or "—", row_customer(ticket)]
    facts.append(age(ticket.opened_at, now))
    text = f"*#{ticket.ticket_id}* {escape_mrkdwn(subject)}\n" + escape_mrkdwn(" · ".join(facts))
    return SectionBlock(
        block_id=f"home_ticket_{ticket.ticket_id}",
        text=mrkdwn_section(text).text,
        accessory=button("Open", ids.HOME_OPEN, TicketRef(ticket_id=ticket.ticket_id)),
    )


def _jobs(part: JobPart, timezone: str) -> list[Block]:
    if part.employee is None:
        if part.how.way == "unknown":
            return [_title("Your jobs"), _could_not("Kickserv", part.error)]
        return [_title("Your jobs"), context("No Kickserv employee is linked to you.")]
    if part.error:
        return [_title("Your jobs"), _could_not("Kickserv", part.error)]
    blocks: list[Block] = []
    for n, (day, jobs) in enumerate(part.days.items()):
        label = "Today" if n == 0 else "Tomorrow"
        blocks.append(_title(f"Your jobs {label.lower()} · {day_words(day)}"))
        blocks += [_job_row(j, timezone) for j in jobs[:JOBS_SHOWN]]
        if len(jobs) > JOBS_SHOWN:
            blocks.append(context(f"… and {len(jobs) - JOBS_SHOWN} more in Kickserv."))
        if not jobs:
            blocks.append(context("Nothing on your calendar."))
    return blocks


def _job_row(item: HomeJob, timezone: str) -> SectionBlock:
    job = item.job
    status = job_status(job)
    what = job_words(item.service, job.description, DESCRIPTION_MAX)
    text = (
        f"*{time_of_day(item.starts_at, timezone)}* · {escape_mrkdwn(item.customer)} · Job "
        f"{job.job_number}\n{escape_mrkdwn(what)} · {escape_mrkdwn(status)}{owed_words(job)}"
    )
    return SectionBlock(
        block_id=f"home_job_{job.job_number}",
        text=mrkdwn_section(text).text,
        accessory=button("Open", ids.HOME_OPEN, JobRef(job_number=job.job_number)),
    )


def _standing(home: HomeView) -> list[Block]:
    blocks: list[Block] = []
    digests = [_standing_line(s) for s in home.digests]
    watches = [
        f"{watch_line(w)} in {_where(w.channel_id)}{_paused(w.paused)}" for w in home.watches
    ]
    for title, lines, none in (
        ("Digests you created", digests, "None yet: `/digest add …` in a channel."),
        ("Watches you created", watches, "None yet: `/deskhand watch …` in a channel."),
    ):
        text = f"*{title}*\n" + ("\n".join(lines) if lines else f"_{none}_")
        blocks.append(mrkdwn_section(text))
    blocks.append(mrkdwn_section(f"*Your run-sheet*\n{schedule_line(home.runsheet)}"))
    return blocks


def _standing_line(item: Standing) -> str:
    filters = describe(item.search) if item.search else ""
    what = f"{escape_mrkdwn(item.what)}{' ' + filters if filters else ''}"
    where = _where(item.channel_id)
    return f"`#{item.number}` {what} {escape_mrkdwn(item.when)} in {where}{_paused(item.paused)}"


def _where(channel_id: str) -> str:
    return f"<#{channel_id}>" if channel_id.isalnum() else "a channel"


def _paused(paused: bool) -> str:
    return " — *paused*" if paused else ""


def _title(text: str) -> SectionBlock:
    return mrkdwn_section(f"*{escape_mrkdwn(text)}*")


def _could_not(system: str, why: str) -> Block:
    return context(escape_mrkdwn(f"{system} could not be read: {why}"))
