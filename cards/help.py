"""`/deskhand help`: every command with its usage and examples."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from slack_sdk.models.blocks import Block, DividerBlock, HeaderBlock

from cards import ids
from cards.common import SECTION_TEXT_MAX, context, mrkdwn_section, plain
from cards.mrkdwn import escape_mrkdwn


@dataclass(frozen=True)
class CommandHelp:
    """One line of `/deskhand help`."""

    name: str
    usage: str
    description: str
    examples: tuple[str, ...] = field(default=())


COMMAND_HELP = (
    CommandHelp(
        "ticket",
        f"{ids.TICKET_COMMAND} <number> | new",
        "Show a ReadyDesk ticket as a card, or create one in a form.",
        (f"{ids.TICKET_COMMAND} 34", f"{ids.TICKET_COMMAND} new"),
    ),
    CommandHelp(
        "tickets",
        f"{ids.TICKETS_COMMAND} [filters] [words]",
        "Search ReadyDesk tickets; newest first (overdue: most overdue first), ten a page. "
        "status:open is the status named Open; status:unresolved is every status but the "
        "closed ones; tech:none is no technician.",
        (
            f"{ids.TICKETS_COMMAND} status:open priority:high",
            f"{ids.TICKETS_COMMAND} status:unresolved tech:me",
            f"{ids.TICKETS_COMMAND} tech:me due:overdue",
            f'{ids.TICKETS_COMMAND} group:"Field Team" opened:7d printer',
        ),
    ),
    CommandHelp(
        "customer",
        f"{ids.CUSTOMER_COMMAND} <ID, name, email or phone>",
        "Find a business in ReadyDesk and Kickserv: contact, tickets, jobs, what it owes.",
        (
            f"{ids.CUSTOMER_COMMAND} demo",
            f"{ids.CUSTOMER_COMMAND} weasel works",
            f"{ids.CUSTOMER_COMMAND} 555-0142",
        ),
    ),
    CommandHelp(
        "job",
        f"{ids.JOB_COMMAND} <number> | new [customer]",
        "Show a Kickserv job as a card, or create one in a form.",
        (f"{ids.JOB_COMMAND} 86001", f"{ids.JOB_COMMAND} new weasel works"),
    ),
    CommandHelp(
        "note",
        f"{ids.NOTE_COMMAND} ticket|customer|job <number> [text]",
        "Add a note: to a ReadyDesk ticket's history, or to a Kickserv customer or job. "
        "Without text, a form opens.",
        (
            f"{ids.NOTE_COMMAND} ticket 34 Called back, printer fixed",
            f"{ids.NOTE_COMMAND} job 86001",
        ),
    ),
    CommandHelp(
        "digest",
        f"{ids.DIGEST_COMMAND} add <kind> [filters] at 08:00 [daily|weekdays|mon,thu] "
        "[tz Europe/Berlin] [quiet] | list | remove|pause|resume <id> | preview <kind> [filters]",
        "Post a digest to this channel on a schedule. Kinds: unresolved, overdue, unassigned, "
        "jobs-today, jobs-tomorrow; each count shows the /tickets search that lists it. "
        "Filters and search words go before `at`; after the time only daily, weekdays, days "
        "like mon,thu, tz <zone> and quiet.",
        (
            f'{ids.DIGEST_COMMAND} add unresolved group:"Field Team" at 08:00 weekdays',
            f"{ids.DIGEST_COMMAND} preview overdue",
        ),
    ),
    CommandHelp(
        "watch",
        f"{ids.DESKHAND_COMMAND} watch tickets [filters] | watch jobs [today|tomorrow] "
        "[status:<status>] | watches | unwatch <id> | pause-watch <id> | resume-watch <id>",
        "Post each new matching ticket, or each job new or changed on that day's schedule, in this "
        "channel as it happens; the cards posted then update in place for a week.",
        (
            f"{ids.DESKHAND_COMMAND} watch tickets priority:urgent",
            f"{ids.DESKHAND_COMMAND} watch jobs tomorrow",
        ),
    ),
    CommandHelp(
        "callbacks",
        f"{ids.DESKHAND_COMMAND} callbacks",
        "Possible callbacks: the tickets of the last DESKHAND_CALLBACK_DAYS days (30 unless set) "
        "opened within that many days after a Kickserv visit to their business, by technician.",
        (f"{ids.DESKHAND_COMMAND} callbacks",),
    ),
    CommandHelp(
        "runsheet",
        f"{ids.DESKHAND_COMMAND} runsheet [at 07:00 [daily|weekdays|mon,thu] | off]",
        "Your jobs today (your Kickserv employee's), in time order with addresses and the "
        "customers' notes; with a time, by direct message at that time in the business's time "
        "zone; off stops it.",
        (f"{ids.DESKHAND_COMMAND} runsheet", f"{ids.DESKHAND_COMMAND} runsheet at 07:00 weekdays"),
    ),
    CommandHelp(
        "threads",
        f"{ids.DESKHAND_COMMAND} threads [on|off]",
        "Replies under Deskhand's ticket and job cards in this channel become notes on their "
        "records, and notes added elsewhere appear in the thread; `off` stops it (writers).",
        (f"{ids.DESKHAND_COMMAND} threads", f"{ids.DESKHAND_COMMAND} threads off"),
    ),
    CommandHelp(
        "whoami",
        f"{ids.DESKHAND_COMMAND} whoami",
        "Your ReadyDesk technician and Kickserv employee, and how Deskhand knows.",
    ),
    CommandHelp(
        "link",
        f"{ids.DESKHAND_COMMAND} link @user tech:<ID> employee:<number>",
        "Admins: say who someone is when their emails do not match (`none` clears).",
        (f"{ids.DESKHAND_COMMAND} link @pat tech:alice employee:17",),
    ),
    CommandHelp(
        "audit",
        f"{ids.DESKHAND_COMMAND} audit",
        "Admins: the last 20 writes from Slack (records, watches, digests, run-sheets, links).",
    ),
    CommandHelp(
        "help",
        f"{ids.DESKHAND_COMMAND} help [command]",
        "List Deskhand's commands, or show one of them.",
        (f"{ids.DESKHAND_COMMAND} tickets status:open",),
    ),
)


def build_help_card(commands: Iterable[CommandHelp], notice: str | None = None) -> list[Block]:
    """Every command with its usage and examples, after an optional notice (already mrkdwn);
    commands are packed into as many sections as Slack's 3,000 characters a section need, a
    command never split across two."""
    sections: list[str] = []
    for c in commands:
        entry = "\n".join(
            [
                f"`{escape_mrkdwn(c.usage)}`  {escape_mrkdwn(c.description)}",
                *(f"      e.g. `{escape_mrkdwn(e)}`" for e in c.examples),
            ]
        )
        if sections and len(sections[-1]) + 1 + len(entry) <= SECTION_TEXT_MAX:
            sections[-1] += "\n" + entry
        else:
            sections.append(entry)
    intro: list[Block] = [mrkdwn_section(notice)] if notice else []
    return [
        *intro,
        HeaderBlock(text=plain("Deskhand commands")),
        *(mrkdwn_section(text) for text in sections),
        DividerBlock(),
        context(
            "Every command also works as `/deskhand &lt;command&gt; …`. "
            "Tickets come from ReadyDesk, jobs from Kickserv; replies are visible only to you."
        ),
    ]
