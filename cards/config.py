"""What the Slack side needs from configuration, injected into listeners as `config`.

bot/ builds it from Settings; cards, listeners and workers read it (none of them imports bot/).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from api.callbacks import CallbackRule
from api.links import RecordLinks


def utc_now() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Reactions:
    """The emoji (names without colons) whose reaction acts on a message; empty: that one is off."""

    ticket: str = "ticket"  # on any message: offer a ticket made from it
    assign: str = "eyes"  # on a ticket card: assign the ticket to whoever reacted
    close: str = "white_check_mark"  # on a ticket card: ask whether to close it

    def act(self, reaction: str) -> str | None:
        """Which of "ticket", "assign", "close" the reaction `reaction` is (a skin tone aside),
        or None."""
        name = reaction.split("::")[0]
        return next((a for a in ("close", "assign", "ticket") if getattr(self, a) == name), None)


@dataclass(frozen=True)
class HandlerConfig:
    """Business time zone, the backends' web pages, priorities, when to say "Looking up", admins,
    writers, alerts, live cards and unfurls; and the clock listeners read the time from."""

    timezone: str = "UTC"
    readydesk_web_url: str | None = None
    priorities: list[str] = field(default_factory=lambda: ["Low", "Normal", "High", "Urgent"])
    looking_up_after: float = 2.0
    admins: frozenset[str] = frozenset()  # Slack user IDs who may link people
    writers: frozenset[str] = frozenset()  # user and user-group IDs who may write; empty: all
    write_channels: frozenset[str] = frozenset()  # where writes may come from; empty: anywhere
    alert_burst: int = 5  # more new records than this in one poll become one summary
    live_card_days: float = 7.0  # how long a posted card is kept up to date
    callback_days: int = 30  # a ticket opened this soon after a visit is a possible callback
    # Which pasted links are records (the backends' web pages), and where they unfurl.
    links: RecordLinks = field(default_factory=lambda: RecordLinks(None, None))
    unfurl_channels: frozenset[str] = frozenset()  # empty: any channel
    dispatch_channel: str = ""  # where a job's steps are said in one line; empty: nowhere
    change_quiet: float = 60.0  # seconds after a burst of job changes before the technician's DM
    reaction_synced: str = "inbox_tray"  # marks a thread reply once it is a note
    reactions: Reactions = field(default_factory=Reactions)
    unattended_steps: bool = False  # a write step with no interactor writes as the workflow
    clock: Callable[[], datetime] = field(default=utc_now, compare=False, repr=False)

    @property
    def live_for(self) -> timedelta:
        """How long a ticket or job card posted in a channel is kept up to date."""
        return timedelta(days=self.live_card_days)

    @property
    def callbacks(self) -> CallbackRule:
        """Which tickets are possible callbacks: the window, and the zone of ReadyDesk's dates."""
        return CallbackRule(days=self.callback_days, timezone=self.timezone)

    def instant(self) -> datetime:
        """This moment, in UTC, by the app's clock."""
        return self.clock()

    def now(self) -> datetime:
        """The business's wall-clock time, naive, as ReadyDesk writes its dates."""
        return self.instant().astimezone(ZoneInfo(self.timezone)).replace(tzinfo=None)
