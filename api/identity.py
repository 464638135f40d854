"""Who is who: a chat user's ReadyDesk technician and Kickserv employee.

An admin's link (stored in the database) wins; otherwise the email on the user's profile is
matched with the technicians' and employees' emails. The profile comes from the caller (who asked
the chat for it): this layer knows nothing of Slack.
"""

import asyncio
from dataclasses import dataclass
from typing import Literal

from api.errors import BackendError
from api.kickserv import Employee, KickservClient
from api.readydesk import ReadyDeskClient
from store import Store
from store.links import Link


@dataclass(frozen=True)
class Profile:
    """What the chat says of a user: the name people see, their email and time zone."""

    name: str
    email: str | None
    timezone: str = "UTC"
    is_bot: bool = False  # an app's user, not a person


@dataclass(frozen=True)
class Match:
    """How a technician or employee was found: an admin's link, the email, neither, or not
    known (the backend could not be read)."""

    way: Literal["linked", "email", "none", "unknown"]
    link: Link | None = None  # linked: the admin's link
    email: str = ""  # email: the address that matched
    error: str = ""  # unknown: the backend's message


NOT_LINKED = Match("none")


@dataclass(frozen=True)
class Identity:
    """A chat user's technician and employee, and how each was found."""

    user_id: str
    email: str | None
    technician: str | None
    technician_how: Match
    employee: Employee | None
    employee_how: Match


async def identify(
    readydesk: ReadyDeskClient,
    kickserv: KickservClient,
    store: Store,
    user_id: str,
    email: str | None,
) -> Identity:
    """The user's technician and employee: the admin's link first, then the email."""
    link = await store.links.get(user_id)
    (technician, technician_how), (employee, employee_how) = await asyncio.gather(
        _technician(readydesk, link, email), _employee(kickserv, link, email)
    )
    return Identity(user_id, email, technician, technician_how, employee, employee_how)


async def technician_of(
    readydesk: ReadyDeskClient, store: Store, user_id: str, email: str | None
) -> str | None:
    """The user's ReadyDesk technician alone (for a write as them): link first, then email."""
    technician, _ = await _technician(readydesk, await store.links.get(user_id), email)
    return technician


async def technician_match(
    readydesk: ReadyDeskClient, link: Link | None, email: str | None
) -> tuple[str | None, Match]:
    """The technician for an admin's `link` or the profile's `email`, and how it was found;
    "unknown" when ReadyDesk's technicians cannot be read (each system's part stands alone)."""
    try:
        return await _technician(readydesk, link, email)
    except BackendError as err:
        return None, Match("unknown", error=err.message)


async def employee_match(
    kickserv: KickservClient, link: Link | None, email: str | None
) -> tuple[Employee | None, Match]:
    """The employee for an admin's `link` or the profile's `email`, and how it was found;
    "unknown" when Kickserv's employees cannot be read."""
    return await _employee(kickserv, link, email)


async def _technician(
    readydesk: ReadyDeskClient, link: Link | None, email: str | None
) -> tuple[str | None, Match]:
    if link and link.technician:
        return link.technician, Match("linked", link=link)
    if email:
        for tech in await readydesk.technicians():
            if tech.email.strip().lower() == email:
                return tech.uid, Match("email", email=email)
    return None, NOT_LINKED


async def _employee(
    kickserv: KickservClient, link: Link | None, email: str | None
) -> tuple[Employee | None, Match]:
    try:
        employees = await kickserv.employees()
    except BackendError as err:
        return None, Match("unknown", error=err.message)
    if link and link.employee_number is not None:
        for employee in employees:
            if employee.employee_number == link.employee_number:
                return employee, Match("linked", link=link)
    if email:
        for employee in employees:
            if (employee.email_address or "").strip().lower() == email:
                return employee, Match("email", email=email)
    return None, NOT_LINKED
