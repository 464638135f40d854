"""What the unfurl tests share: the served app with ReadyDesk's web page set, and the
link_shared events Slack sends."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tests.bot.served import Served, served, texts

WEB = "https://helpdesk.example/readydesk/tickets.aspx?tid={tid}"
KICKSERV = "https://app.kickserv.com/sandbox"  # the default KICKSERV_WEB_URL, sandbox account
CHANNEL, TS = "C0SUPPORT", "1700000100.000200"
EMAIL = "john.smith@democompany.com"  # Kickserv customer 1, ReadyDesk customer demo


@asynccontextmanager
async def unfurl_app(slack) -> AsyncIterator[Served]:
    """The app served with READYDESK_WEB_URL set, so ticket pages unfurl."""
    async with served(slack, READYDESK_WEB_URL=WEB) as running:
        yield running


def link_shared(*urls: str, channel: str = CHANNEL, ts: str = TS, composer: bool = False) -> dict:
    """link_shared for `urls` in a channel's message (or, `composer`, typed and not yet sent)."""
    event = {
        "type": "link_shared",
        "channel": "COMPOSER" if composer else channel,
        "is_bot_user_member": True,
        "user": "U1",
        "message_ts": f"U1-{ts}" if composer else ts,
        "unfurl_id": f"U1-{ts}-preview" if composer else f"{channel}.{ts}",
        "source": "composer" if composer else "conversations_history",
        "event_ts": ts,
        "links": [{"domain": url.split("/")[2], "url": url} for url in urls],
    }
    return event


def unfurl_calls(slack) -> list:
    """Every chat.unfurl Deskhand made."""
    return [c for c in slack.calls if c.name == "chat.unfurl"]


def ticket_url(ticket_id: int) -> str:
    """The ReadyDesk web page of a ticket."""
    return WEB.replace("{tid}", str(ticket_id))


def unfurl_text(slack, url: str, where: tuple[str, str] = (CHANNEL, TS)) -> str:
    """What an unfurl under a message shows now."""
    return texts(slack.unfurls[where][url]["blocks"])
