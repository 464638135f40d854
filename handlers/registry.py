"""Every listener area, registered on the app in one place (the one module that imports them all).

The areas the write flows own that do not add themselves to the `/deskhand` table (yet) are
added here: `note` as a subcommand, and the Create forms `/ticket new` and `/job new` open.
"""

from slack_bolt.async_app import AsyncApp

from handlers import (
    admin,
    alerts,
    card_buttons,
    customers,
    digests,
    help,
    jobs,
    new_jobs,
    new_tickets,
    notes,
    people,
    shortcuts,
    ticket_actions,
    tickets,
    typeahead,
)
from handlers.subcommands import table_of


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
        shortcuts,
        typeahead,
        card_buttons,
        people,
        admin,
        alerts,
        help,
    ):
        area.register(app)
    table = table_of(app)
    table.add("note", notes.note_command, writes=True)
    table.forms["ticket"] = new_tickets.open_ticket_form
    table.forms["job"] = new_jobs.new_job_command
