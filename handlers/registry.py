"""Every listener area, registered on the app in one place (the one module that imports them all).

Each area with `/deskhand <word>` subcommands adds them to the app's table, which its
`register(app, subcommands)` is handed.
"""

from slack_bolt.async_app import AsyncApp

from handlers import (
    admin,
    alerts,
    callbacks,
    card_buttons,
    customers,
    digests,
    help,
    home,
    job_steps,
    jobs,
    new_jobs,
    new_tickets,
    notes,
    people,
    reactions,
    runsheet,
    steps,
    threads,
    ticket_actions,
    tickets,
    typeahead,
    unfurls,
    visits,
)
from handlers.subcommands import Subcommands

# The areas that add `/deskhand` subcommands (help's listener reads them all).
WITH_SUBCOMMANDS = frozenset(
    {tickets, customers, jobs, notes, people, runsheet, admin, alerts, callbacks, threads, help}
)


def register_all(app: AsyncApp, subcommands: Subcommands) -> None:
    """Register every area's listeners, and its `/deskhand` subcommands in `subcommands`."""
    for area in (
        tickets,
        ticket_actions,
        customers,
        digests,
        jobs,
        job_steps,
        new_jobs,
        new_tickets,
        visits,
        notes,
        typeahead,
        unfurls,
        reactions,
        card_buttons,
        people,
        runsheet,
        admin,
        alerts,
        callbacks,
        threads,
        home,
        help,
        steps,
    ):
        if area in WITH_SUBCOMMANDS:
            area.register(app, subcommands)
        else:
            area.register(app)
