"""What Slack says of its users (users.info): the name people see, their email and time zone.

Answers are cached for a while; who a user is in each backend is the desk's (`desk.identify`).
"""

import re

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from api.cache import AsyncTTLCache
from api.identity import Profile

PROFILE_TTL = 600.0
_BARE_MENTION = re.compile(r"<@([UW][A-Z0-9]+)>")


class Profiles:
    """Slack users' profiles, each looked up once per `ttl` seconds."""

    def __init__(self, ttl: float = PROFILE_TTL) -> None:
        self._profiles = AsyncTTLCache(ttl)

    async def get(self, client: AsyncWebClient, user_id: str) -> Profile:
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
            return Profile(
                name=name or user_id,
                email=email,
                timezone=user.get("tz") or "UTC",
                is_bot=bool(user.get("is_bot")),
            )

        return await self._profiles.get_or_load(user_id, load)

    async def names_in(self, client: AsyncWebClient, text: str) -> dict[str, str]:
        """The names of the people a Slack message's text mentions by ID alone (`<@U123>`, as
        Slack sends mentions), for cards.mrkdwn.as_read."""
        ids = dict.fromkeys(_BARE_MENTION.findall(text))
        return {user_id: (await self.get(client, user_id)).name for user_id in ids}
