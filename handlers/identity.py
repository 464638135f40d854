"""Who is who: a Slack user's ReadyDesk technician and Kickserv employee.

An admin's link (stored in the database) wins; otherwise the email on the user's Slack profile is
matched with the technicians' and employees' emails. users.info answers are cached.
"""

import asyncio
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.cache import AsyncTTLCache
from api.desk import Desk
from api.errors import BackendError
from api.kickserv import Employee
from cards.mrkdwn import escape_mrkdwn
from store import Store
from store.links import Link

PROFILE_TTL = 600.0


@dataclass(frozen=True)
class Profile:
    """What Slack says of a user: the name people see, and their email."""

    name: str
    email: str | None
    timezone: str = "UTC"  # the user's Slack time zone


@dataclass(frozen=True)
class Identity:
    """A Slack user's technician and employee, and how each was found (`*_how` are mrkdwn)."""

    user_id: str
    email: str | None
    technician: str | None
    technician_how: str
    employee: Employee | None
    employee_how: str


class Identities:
    """Matches Slack users to technicians and employees."""

    def __init__(self, ttl: float = PROFILE_TTL) -> None:
        self._profiles = AsyncTTLCache(ttl)

    async def profile(self, client: AsyncWebClient, user_id: str) -> Profile:
        """The user's name and email from Slack (scopes users:read, users:read.email)."""

        async def load() -> Profile:
            try:
                reply = await client.users_info(user=user_id)
            except SlackApiError:
                return Profile(name=user_id, email=None)
            user = reply.get("user") or {}
            details = user.get("profile") or {}
            name = details.get("display_name") or details.get("real_name") or user.get("name")
            email = (details.get("email") or "").strip().lower() or None
            return Profile(name=name or user_id, email=email, timezone=user.get("tz") or "UTC")

        return await self._profiles.get_or_load(user_id, load)

    async def email_of(self, client: AsyncWebClient, user_id: str) -> str | None:
        """The email on the user's Slack profile, or None."""
        return (await self.profile(client, user_id)).email

    async def identify(
        self, client: AsyncWebClient, user_id: str, desk: Desk, store: Store
    ) -> Identity:
        """The user's technician and employee: the admin's link first, then the email."""
        email, link = await asyncio.gather(self.email_of(client, user_id), store.links.get(user_id))
        (technician, technician_how), (employee, employee_how) = await asyncio.gather(
            _technician(desk, link, email), _employee(desk, link, email)
        )
        return Identity(user_id, email, technician, technician_how, employee, employee_how)


def _linked_by(link: Link) -> str:
    return f"linked by <@{link.set_by}> on {link.set_at:%Y-%m-%d}"


async def _technician(desk: Desk, link: Link | None, email: str | None) -> tuple[str | None, str]:
    if link and link.technician:
        return link.technician, _linked_by(link)
    if email:
        for tech in await desk.readydesk.technicians():
            if tech.email.strip().lower() == email:
                return tech.uid, f"matched by email ({escape_mrkdwn(email)})"
    return None, "not linked"


async def _employee(
    desk: Desk, link: Link | None, email: str | None
) -> tuple[Employee | None, str]:
    try:
        employees = await desk.kickserv.employees()
    except BackendError as err:
        return None, f"unknown: {escape_mrkdwn(err.message)}"
    if link and link.employee_number is not None:
        for employee in employees:
            if employee.employee_number == link.employee_number:
                return employee, _linked_by(link)
    if email:
        for employee in employees:
            if (employee.email_address or "").strip().lower() == email:
                return employee, f"matched by email ({escape_mrkdwn(email)})"
    return None, "not linked"
