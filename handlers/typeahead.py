"""Customer pickers (`external_select`): answered from the customer directory, so they keep up
with typing however slow ReadyDesk and Kickserv are; while its first fill runs, with the
backends' own lookups too, for at most `PICKER_WAIT` (api/directory.py)."""

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from api.business import KICKSERV, READYDESK, Business
from api.desk import Desk
from cards import ids
from handlers.form_values import customer_label, customer_value

SHOWN = 20
MIN_QUERY = 2


def register(app: AsyncApp) -> None:
    """Attach the customer picker's options listener."""
    app.options(ids.CUSTOMER_PICKER)(customer_options)


async def customer_options(ack: AsyncAck, payload: dict[str, Any], desk: Desk) -> None:
    """Both systems' matches for what was typed, grouped and labelled by system.

    The directory is Deskhand's own table, so once filled a backend that is down changes
    nothing here. Before that, what the backends' lookups find in time is added; with both down
    since start the list is empty, which Slack shows as "No results", never an option that is
    not a customer.
    """
    value = payload.get("value")
    typed = value.strip() if isinstance(value, str) else ""  # Slack sends what was typed
    if len(typed) < MIN_QUERY:
        await ack(options=[])
        return
    businesses = await desk.search_businesses(typed, limit=SHOWN)
    view = payload.get("view") if isinstance(payload.get("view"), dict) else {}
    systems = (KICKSERV,) if view.get("callback_id") == ids.JOB_MODAL else (READYDESK, KICKSERV)
    await ack(option_groups=customer_option_groups(businesses, systems))


def customer_option_groups(
    businesses: list[Business], systems: tuple[str, ...] = (READYDESK, KICKSERV)
) -> list[dict[str, Any]]:
    """ReadyDesk and Kickserv groups; a linked business appears in both, each option under the
    name its own system has for the record (the linked one's beside it when it differs). Only
    `systems`' records are offered: a job's form takes Kickserv customers alone."""
    groups: dict[str, list[dict[str, Any]]] = {system: [] for system in systems}
    for business in businesses:
        for entry in (business.readydesk, business.kickserv):
            if entry is None or entry.system not in groups:
                continue
            groups[entry.system].append(
                {
                    "text": {"type": "plain_text", "text": customer_label(entry, business)},
                    "value": customer_value(entry.system, entry.record_key),
                }
            )
    names = {READYDESK: "ReadyDesk", KICKSERV: "Kickserv"}
    return [
        {"label": {"type": "plain_text", "text": names[system]}, "options": options[:100]}
        for system, options in groups.items()
        if options
    ]
