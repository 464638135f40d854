"""ReadyDesk help desk: client, models and wire formats."""

from api.readydesk.client import ReadyDeskClient
from api.readydesk.models import Customer, Ticket

__all__ = ["Customer", "ReadyDeskClient", "Ticket"]
