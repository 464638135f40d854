"""What the Slack side needs from configuration, injected into listeners as `config`.

bot/ builds it from Settings (handlers never import bot/: nothing imports upward).
"""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class HandlerConfig:
    """Business time zone, ReadyDesk's web link and priorities, when to say "Looking up", admins."""

    timezone: str = "UTC"
    readydesk_web_url: str | None = None
    priorities: list[str] = field(default_factory=lambda: ["Low", "Normal", "High", "Urgent"])
    looking_up_after: float = 2.0
    admins: frozenset[str] = frozenset()  # Slack user IDs who may link people
    writers: frozenset[str] = frozenset()  # user and user-group IDs who may write; empty: all
    write_channels: frozenset[str] = frozenset()  # where writes may come from; empty: anywhere

    def now(self) -> datetime:
        """The business's wall-clock time, naive, as ReadyDesk writes its dates."""
        return datetime.now(ZoneInfo(self.timezone)).replace(tzinfo=None)
