"""The Slack side: one module per area, each with `register(app)`."""

from slack_bolt.async_app import AsyncApp

from handlers import customers, help, jobs, share, tickets


def register_all(app: AsyncApp) -> None:
    """Register every area's listeners."""
    for area in (tickets, customers, jobs, share, help):
        area.register(app)
