"""What the Home tab tests share: the served app as Home sees it (Sam, linked by an admin), and
the events and presses Slack sends for the tab and its modals."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.slack import sandbox_user
from tests.bot.served import Served, served, texts

ZONE = "Etc/GMT+5"  # the Kickserv fake's account zone (UTC-5 all year): its days are the business's
SAM = "U2"  # Kickserv employee 18 by email; an admin linked him to ReadyDesk technician bob
SAM_GLOBAL_ID = 846788
EMAIL = "john.smith@democompany.com"  # one business, in both systems


class Clock:
    """The app's clock: the wall clock, moved on by `ahead`."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.ahead


@asynccontextmanager
async def home_app(slack, clock: Clock) -> AsyncIterator[Served]:
    """The app served on `clock`, with Sam and Nora in Slack and Sam linked to technician bob."""
    slack.users[SAM] = sandbox_user(SAM, "Sam Ortiz", "sam@fieldcrew.example")
    slack.users["U3"] = sandbox_user("U3", "Nora Quinn", "nora@elsewhere.example")
    env = {"DESKHAND_ADMINS": "U0BOSS", "DESKHAND_TIMEZONE": ZONE}
    async with served(slack, clock=clock, **env) as running:
        await running.store.links.set(SAM, set_by="U0BOSS", technician="bob")
        yield running


def home_opened(user: str, *, shown: bool = False, tab: str = "home") -> dict:
    """app_home_opened for `user` (`shown`: with the view Slack sends once one was published)."""
    event = {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": tab}
    event["event_ts"] = "1700000000.000100"
    if shown:  # Slack sends the tab's current view once one was published
        event["view"] = {"id": "VH0000001", "type": "home"}
    return event


def home_press(user: str, action_id: str, value: str = "x") -> dict:
    """A button pressed on `user`'s Home tab."""
    return {
        "type": "block_actions",
        "team": {"id": "T0SANDBOX"},
        "api_app_id": "A0DESKHAND",
        "user": {"id": user, "team_id": "T0SANDBOX"},
        "container": {"type": "view", "view_id": "VH0000001"},
        "view": {"id": "VH0000001", "type": "home"},
        "trigger_id": "7.8.9",
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value}],
    }


def publishes(slack, user: str) -> list:
    """Every views.publish of `user`'s Home."""
    return [c for c in slack.calls if c.name == "views.publish" and c.payload["user_id"] == user]


def home_text(slack, user: str) -> str:
    """The text `user`'s Home tab shows now."""
    return texts(slack.home_tabs[user]["blocks"])


def home_button(slack, user: str, label: str) -> dict:
    """The button labelled `label` on `user`'s Home tab."""
    return button_in(slack.home_tabs[user], label)


def modal_press(user: str, view: dict, action_id: str, value: str) -> dict:
    """A button pressed on a modal Deskhand opened (Slack sends the view, no response_url)."""
    body = home_press(user, action_id, value)
    body["container"] = {"type": "view", "view_id": view["id"]}
    body |= {"view": view, "trigger_id": "7.8.11"}
    return body


def view_shown(slack, view_id: str) -> dict:
    """The modal `view_id` as Slack shows it now."""
    return slack.views[view_id]


async def open_a_ticket_from_home(app, slack) -> tuple[dict, Any]:
    """Sam's Home published, and its first ticket's Open pressed: the row and the views.open."""
    await app.event(home_opened(SAM))
    row = next(
        b
        for b in slack.home_tabs[SAM]["blocks"]
        if b.get("block_id", "").startswith("home_ticket_")
    )
    await app.interactive(home_press(SAM, "home_open", row["accessory"]["value"]))
    [opened] = [c for c in slack.calls if c.name == "views.open"]
    return row, opened


def button_in(view: dict, label: str) -> dict:
    """The button labelled `label` in a view (a modal, or a Home tab)."""
    for block in view["blocks"]:
        for element in [block.get("accessory") or {}, *block.get("elements", [])]:
            if element.get("type") == "button" and element["text"]["text"] == label:
                return element
    raise AssertionError(f"no {label} button")


def find_submit(user: str, words: str) -> dict:
    """Find customer's form submitted by `user` with `words`."""
    return {
        "type": "view_submission",
        "team": {"id": "T0SANDBOX"},
        "api_app_id": "A0DESKHAND",
        "user": {"id": user, "team_id": "T0SANDBOX"},
        "trigger_id": "7.8.10",
        "view": {
            "id": "V00000009",
            "type": "modal",
            "callback_id": "find_customer_modal",
            "private_metadata": "",
            "state": {
                "values": {"find_customer": {"words": {"type": "plain_text_input", "value": words}}}
            },
            "hash": "h",
        },
    }
