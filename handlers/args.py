"""The slash-command grammar: what each command accepts, its usage line, and the parsers."""

import re
from dataclasses import dataclass

from handlers import ids
from handlers.mrkdwn import escape_mrkdwn, truncate


@dataclass(frozen=True)
class CommandHelp:
    """One line of `/deskhand help`."""

    usage: str
    description: str


COMMAND_HELP = (
    CommandHelp(f"{ids.TICKET_COMMAND} <number>", "Show a ReadyDesk ticket as a card."),
    CommandHelp(f"{ids.DESKHAND_COMMAND} help", "List Deskhand's commands."),
)


class UsageError(ValueError):
    """The user typed something the command does not accept; the text says how to use it."""


_TICKET_NUMBER = re.compile(r"#?(\d{1,9})")


def parse_ticket_number(text: str) -> int:
    """`34` or `#34` -> 34; anything else -> UsageError with the command's usage."""
    match = _TICKET_NUMBER.fullmatch(text.strip())
    if not match or int(match.group(1)) == 0:
        shown = escape_mrkdwn(truncate(text.strip(), 40))
        problem = f"`{shown}` is not a ticket number." if shown else "Which ticket?"
        usage = escape_mrkdwn(COMMAND_HELP[0].usage)
        raise UsageError(f"{problem} Usage: `{usage}`, e.g. `{ids.TICKET_COMMAND} 34`.")
    return int(match.group(1))


def parse_deskhand_subcommand(text: str) -> str:
    """The first word of `/deskhand …` (only `help` so far); blank means help."""
    word = text.strip().split(maxsplit=1)[0].lower() if text.strip() else "help"
    if word != "help":
        shown = escape_mrkdwn(truncate(word, 40))
        raise UsageError(f"Deskhand has no `{shown}` command. Try `{ids.DESKHAND_COMMAND} help`.")
    return word
