"""The table of `/deskhand <word>` subcommands, filled by each area's `register(app)` and read
when a command arrives.

So `/deskhand ticket 34` runs the `/ticket` listener without help.py importing tickets.py: no
listener module imports another. One table per app, made by build_app and handed to each area's
`register`; listener middleware from `provide()` puts it into the context as `subcommands`.
"""

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from cards.config import HandlerConfig

Listener = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class Subcommand:
    """A `/deskhand <word>`: the listener it runs, and what the word asks of the person."""

    listener: Listener
    writes: bool = False  # behind the writers check
    admin: bool = False  # DESKHAND_ADMINS only
    # For a word that takes nothing after it: the help entry whose usage answers words that do.
    bare: str | None = None


@dataclass
class Subcommands:
    """Each subcommand by its word."""

    words: dict[str, Subcommand] = field(default_factory=dict)
    # Words whose text keeps Slack's escapes (`link @user` needs the mention); a live set, so
    # the parse made at registration sees words added later.
    keeps_escapes: set[str] = field(default_factory=set)

    def add(
        self,
        word: str,
        listener: Listener,
        *,
        writes: bool = False,
        admin: bool = False,
        keeps_escapes: bool = False,
        bare: str | None = None,
    ) -> None:
        """`/deskhand <word> …` runs `listener` as `/<word> …` would; with `bare`, the word takes
        nothing after it, and words that follow get the usage of help entry `bare` instead."""
        self.words[word] = Subcommand(listener, writes=writes, admin=admin, bare=bare)
        if keeps_escapes:
            self.keeps_escapes.add(word)


def provide(table: Subcommands) -> Callable[..., Awaitable[Any]]:
    """Listener middleware: the app's table into the context as `subcommands`."""

    async def put(context: dict[str, Any], next: Any) -> Any:
        context["subcommands"] = table
        return await next()

    return put


async def run(listener: Listener, arguments: dict[str, Any]) -> None:
    """Call a listener with the Bolt arguments it names, out of `arguments`."""
    wanted = inspect.signature(listener).parameters
    await listener(**{k: v for k, v in arguments.items() if k in wanted})


def require_admin(config: HandlerConfig, table: Subcommands, user_id: str, word: str) -> str | None:
    """Why `user_id` may not run the `/deskhand` subcommand `word` (its one parse), or None."""
    entry = table.words.get(word)
    if entry is None or not entry.admin or user_id in config.admins:
        return None
    if not config.admins:
        return (
            "Only Deskhand admins can do that, and none is set: an admin of the bot's server "
            "lists Slack user IDs in DESKHAND_ADMINS."
        )
    admins = ", ".join(f"<@{a}>" for a in sorted(config.admins)[:5])
    return f"Only Deskhand admins can do that. Ask {admins}."
