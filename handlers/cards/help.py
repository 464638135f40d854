"""`/deskhand help`: every command with its usage and examples."""

from collections.abc import Iterable

from slack_sdk.models.blocks import Block, DividerBlock, HeaderBlock

from handlers.args import CommandHelp
from handlers.cards.common import context, mrkdwn_section, plain
from handlers.mrkdwn import escape_mrkdwn


def build_help_card(commands: Iterable[CommandHelp], notice: str | None = None) -> list[Block]:
    """Every command with its usage and examples, after an optional notice (already mrkdwn)."""
    lines = []
    for c in commands:
        lines.append(f"`{escape_mrkdwn(c.usage)}`  {escape_mrkdwn(c.description)}")
        lines.extend(f"      e.g. `{escape_mrkdwn(e)}`" for e in c.examples)
    intro: list[Block] = [mrkdwn_section(notice)] if notice else []
    return [
        *intro,
        HeaderBlock(text=plain("Deskhand commands")),
        mrkdwn_section("\n".join(lines)),
        DividerBlock(),
        context(
            "Every command also works as `/deskhand <command> …`. "
            "Tickets come from ReadyDesk, jobs from Kickserv; replies are visible only to you."
        ),
    ]
