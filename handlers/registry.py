"""Every listener area, registered on the app in one place (the one module that imports them all).

Each area's `register(app)` also adds its `/deskhand <word>` subcommands to the app's table.
"""

from slack_bolt.async_app import AsyncApp

from handlers import (
    admin,
    alerts,
    card_buttons,
    customers,
    digests,
    help,
    home,
    jobs,
    new_jobs,
    new_tickets,
    notes,
    people,
    ticket_actions,
    tickets,
    typeahead,
    unfurls,
)


def register_all(app: AsyncApp) -> None:
    """Register every area's listeners (and its `/deskhand` subcommands)."""
    for area in (
        tickets,
        ticket_actions,
        customers,
        digests,
        jobs,
        new_jobs,
        new_tickets,
        notes,
        typeahead,
        unfurls,
        card_buttons,
        people,
        admin,
        alerts,
        home,
        help,
    ):
        area.register(app)
