"""What the reaction tests share: the people, the reaction_added events Slack sends, and what
Deskhand tells a person aside."""

from cards import ids
from cards.refs import TicketRef, ref_value
from sandbox.slack import BOT_USER_ID
from tests.bot.served import Served
from tests.slack_helpers import block_action

ALICE = "U0CONSOLE"  # linked to the ReadyDesk technician alice (by her email)
PAT = "U1"  # no technician
JSON_BODY = {"content-type": "application/json"}
REPORT = "Printer on the 3rd floor jams\nSince Monday, every second page."


def reaction(
    emoji: str,
    ts: str,
    *,
    user: str = ALICE,
    item_user: str = BOT_USER_ID,
    added: str = "1700009999.000100",
) -> dict:
    """reaction_added; `added`, its event_ts: the same in each delivery of one reaction."""
    return {
        "type": "reaction_added",
        "user": user,
        "reaction": emoji,
        "item_user": item_user,
        "item": {"type": "message", "channel": "C1", "ts": ts},
        "event_ts": added,
    }


async def share_card(app: Served, slack, ticket_id: int = 34) -> str:
    """Ticket `ticket_id`'s card shared in C1 (a live card): its ts."""
    shared = block_action(ids.SHARE_CARD, ref_value(TicketRef(ticket_id=ticket_id)), "x")
    shared["response_url"] = slack.response_url("share")
    await app.interactive(shared)
    [ts] = [ts for (channel, ts) in slack.messages if channel == "C1"]
    return ts


def said_aside(slack, user: str = ALICE) -> list[dict]:
    """What Deskhand showed `user` aside (ephemerally, or else in a DM), as Slack took it."""
    return [
        c.payload
        for c in slack.calls
        if c.answer.get("ok")
        and (
            (c.name == "chat.postEphemeral" and c.payload.get("user") == user)
            or (c.name == "chat.postMessage" and c.payload.get("channel") == user)
        )
    ]


def press(
    value: str, response_url: str, *, action_id: str, user: str = ALICE, message_ts: str = ""
) -> dict:
    """A button pressed on a message only its presser sees."""
    pressed = block_action(action_id, value, response_url)
    pressed["user"]["id"] = user
    pressed["container"] = {"type": "message", "message_ts": message_ts, "is_ephemeral": True}
    return pressed


def first_button(payload: dict) -> dict:
    """The first button of a message's actions."""
    return next(e for b in payload["blocks"] if b["type"] == "actions" for e in b["elements"])
