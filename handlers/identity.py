"""Who is who: a Slack user's ReadyDesk technician, matched by the email Slack has for them."""

from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.cache import AsyncTTLCache
from api.desk import Desk

PROFILE_TTL = 600.0


@dataclass(frozen=True)
class Identity:
    """A Slack user's email and the technician it matched (None when none did)."""

    user_id: str
    email: str | None
    technician: str | None


class Identities:
    """Matches Slack users to technicians; users.info answers are cached for ten minutes."""

    def __init__(self, ttl: float = PROFILE_TTL) -> None:
        self._profiles = AsyncTTLCache(ttl)

    async def email_of(self, client: AsyncWebClient, user_id: str) -> str | None:
        """The email on the user's Slack profile (scope users:read.email), or None."""

        async def load() -> str | None:
            try:
                reply = await client.users_info(user=user_id)
            except SlackApiError:
                return None
            email = (reply.get("user") or {}).get("profile", {}).get("email")
            return email.strip().lower() if email else None

        return await self._profiles.get_or_load(("email", user_id), load)

    async def identify(self, client: AsyncWebClient, user_id: str, desk: Desk) -> Identity:
        """The user's technician, by email."""
        email = await self.email_of(client, user_id)
        technician = None
        if email:
            for tech in await desk.readydesk.technicians():
                if tech.email.strip().lower() == email:
                    technician = tech.uid
                    break
        return Identity(user_id=user_id, email=email, technician=technician)
