"""The slash-command grammar: what each command accepts, its usage line, and the parsers."""

import difflib
import html
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import Block

from cards import ids
from cards.common import Card, mrkdwn_section, typed_back
from cards.help import COMMAND_HELP, CommandHelp
from cards.mrkdwn import escape_mrkdwn, truncate


class UsageError(ValueError):
    """The user typed something the command does not accept; the text says how to use it."""


CHOICES_SHOWN = 15
TYPED_IN_FALLBACK = 2500  # the notification text keeps this much; the blocks keep it all
_NUMBER = re.compile(r"#?(\d{1,9})")
_ESCAPED = re.compile(r"<([@#!])?([^>|]*)(?:\|([^>]*))?>")
# A first word: Slack's `<…>` entities whole (a label may hold spaces), else up to whitespace.
_FIRST_WORD = re.compile(r"\s*((?:<[^<>]*>|\S)*)(.*)", re.DOTALL)


def command_help(name: str) -> CommandHelp:
    """The help entry of one command."""
    return next(c for c in COMMAND_HELP if c.name == name)


def usage_text(name: str) -> str:
    """`Usage: …, e.g. …` for one command, escaped for mrkdwn."""
    entry = command_help(name)
    examples = ", ".join(f"`{escape_mrkdwn(e)}`" for e in entry.examples)
    return f"Usage: `{escape_mrkdwn(entry.usage)}`" + (f", e.g. {examples}." if examples else ".")


def kept_reply(why: str, typed: str, *below: Block) -> Card:
    """`why` (mrkdwn) with every character of `typed` given back as plain text (a slash command's
    box is empty once sent), then `below` (e.g. a button that carries the text on)."""
    kept = f"\nWhat you typed:\n{escape_mrkdwn(truncate(typed, TYPED_IN_FALLBACK))}"
    blocks = [mrkdwn_section(why), *typed_back(typed, heading="What you typed:"), *below]
    return Card(text=why + (kept if typed.strip() else ""), blocks=blocks)


def typed_line(command: dict[str, Any]) -> str:
    """What the person typed, whole (`/deskhand watch jobs yesterday`): what a reply gives back
    to copy, fix and send again; "" when nothing followed the command."""
    if "typed" in command:  # a /deskhand subcommand's, kept before its word was taken off
        return command["typed"] if command.get("text", "").strip() else ""
    text, name = command.get("text", ""), command.get("command", "")
    # As it was typed: Slack escapes a command's text (`&amp;`, `<@U1|pat>`) when the manifest
    # asks it to, and the person copies this back into the box.
    return unescape(f"{name} {text}") if name and text.strip() else unescape(text)


def wants_help(text: str) -> bool:
    """True for `/<command> help` (or `?`)."""
    return text.strip().lower() in ("help", "?", "-h", "--help")


def parse_number(text: str, name: str, what: str) -> int:
    """`34` or `#34` -> 34; anything else -> UsageError with the command's usage."""
    match = _NUMBER.fullmatch(text.strip())
    if not match or int(match.group(1)) == 0:
        shown = escape_mrkdwn(truncate(text.strip(), 40))
        problem = f"`{shown}` is not a {what} number." if shown else f"Which {what}?"
        raise UsageError(f"{problem} {usage_text(name)}")
    return int(match.group(1))


def parse_ticket_number(text: str) -> int:
    """`34` or `#34` -> 34; anything else -> UsageError with /ticket's usage."""
    return parse_number(text, "ticket", "ticket")


@dataclass(frozen=True)
class Invocation:
    """A command's text parsed once; what runs and who may run it are both decided on `word`."""

    word: str  # the first word as the person sees it: lowercased, Slack's escapes undone
    rest: str  # what follows: unescaped, or as Slack sent it for a word that keeps escapes


def unescape(text: str) -> str:
    """Slack's escaped command text as typed: `<@U1|pat>` -> `@pat`, `&amp;` -> `&`."""

    def typed(match: re.Match[str]) -> str:
        sigil, target, label = match.group(1) or "", match.group(2), match.group(3)
        return f"{sigil}{label}" if label else f"{sigil}{target}"

    return html.unescape(_ESCAPED.sub(typed, text))


def parse_invocation(text: str, keeps_escapes: Collection[str] = ()) -> Invocation:
    """`tickets status:open` -> Invocation("tickets", "status:open"); blank means help.

    The first word is what the person saw in Slack: `<https://x|note>` and `&#110;ote` are
    `note`, any whitespace ends it, and a link whose label has spaces is one (unknown) word.
    """
    match = _FIRST_WORD.fullmatch(text)
    assert match is not None  # the pattern matches any text
    first, raw_rest = match.groups()
    word = " ".join(unescape(first).split()).lower() or "help"
    rest = raw_rest if word in keeps_escapes else unescape(raw_rest)
    return Invocation(word=word, rest=rest.strip())


def unknown_subcommand(word: str) -> UsageError:
    """The error for `/deskhand <word>` when there is no such command."""
    shown = escape_mrkdwn(truncate(word, 40))
    return UsageError(f"Deskhand has no `{shown}` command. Try `{ids.DESKHAND_COMMAND} help`.")


def did_you_mean(problem: str, typed: str, allowed: list[str] | tuple[str, ...], label: str) -> str:
    """`problem`, the closest valid choice to `typed`, and the valid choices (all escaped)."""
    lowered = {a.lower(): a for a in allowed}
    close = difflib.get_close_matches(typed.lower(), list(lowered), n=1, cutoff=0.5)
    guess = f" Did you mean `{escape_mrkdwn(lowered[close[0]])}`?" if close else ""
    shown = ", ".join(f"`{escape_mrkdwn(a)}`" for a in list(allowed)[:CHOICES_SHOWN])
    more = f" and {len(allowed) - CHOICES_SHOWN} more" if len(allowed) > CHOICES_SHOWN else ""
    valid = f" {label}: {shown}{more}." if allowed else f" There are no {label.lower()}."
    return problem + guess + valid
