"""Every listener area, registered on the app in one place."""

from slack_bolt.async_app import AsyncApp

from handlers import (
    card_buttons,
    customers,
    digests,
    help,
    jobs,
    new_jobs,
    new_tickets,
    notes,
    ticket_actions,
    tickets,
    typeahead,
)


def register_all(app: AsyncApp) -> None:
    """Register every area's listeners."""
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
        card_buttons,
        help,
    ):
        area.register(app)
